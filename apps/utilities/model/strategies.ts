/**
 * The five provider strategies (docs/domain.md, "Providers") as presets of 2025-like Flemish
 * residential terms; a catalogue entry may override any value. Energy prices are energy alone,
 * excl. VAT (network costs are the same whoever supplies); injection stays well under them.
 */
import { STRATEGIES, type Strategy } from '../../shared/contract';

export { STRATEGIES, type Strategy };

export interface Terms {
  day_buy_price: number;
  night_buy_price: number;
  day_sell_price: number;
  night_sell_price: number;
  /** Dynamic contracts: € per kWh over the day-ahead price. */
  buy_markup: number;
  /** Dynamic contracts: € per kWh under the day-ahead price for injection. */
  sell_markdown: number;
  fixed_fee_per_year: number;
  switching_discount: number;
  minimum_monthly_kwh: number;
  /** Share of offers that are dynamic (0 = always static, 1 = always dynamic). */
  dynamic_share: number;
  duration_months: number;
}

export const PRESETS: Record<Strategy, Terms> = {
  // Plain fixed prices and a low fee.
  steady_eddie: {
    day_buy_price: 0.116,
    night_buy_price: 0.1,
    day_sell_price: 0.035,
    night_sell_price: 0.025,
    buy_markup: 0.02,
    sell_markdown: 0.02,
    fixed_fee_per_year: 50,
    switching_discount: 0,
    minimum_monthly_kwh: 0,
    dynamic_share: 0,
    duration_months: 12,
  },
  // Cheap nights and weekends, a dear day register.
  night_owl: {
    day_buy_price: 0.126,
    night_buy_price: 0.092,
    day_sell_price: 0.03,
    night_sell_price: 0.02,
    buy_markup: 0.022,
    sell_markdown: 0.022,
    fixed_fee_per_year: 55,
    switching_discount: 25,
    minimum_monthly_kwh: 0,
    dynamic_share: 0.1,
    duration_months: 12,
  },
  // The best injection price, paid for with a slightly dearer kWh: for prosumers.
  solar_surfer: {
    day_buy_price: 0.12,
    night_buy_price: 0.104,
    day_sell_price: 0.045,
    night_sell_price: 0.03,
    buy_markup: 0.022,
    sell_markdown: 0.012,
    fixed_fee_per_year: 60,
    switching_discount: 20,
    minimum_monthly_kwh: 0,
    dynamic_share: 0.2,
    duration_months: 12,
  },
  // Mostly dynamic with a thin markup; its static offer prices the day high.
  peak_predator: {
    day_buy_price: 0.124,
    night_buy_price: 0.098,
    day_sell_price: 0.03,
    night_sell_price: 0.02,
    buy_markup: 0.02,
    sell_markdown: 0.016,
    fixed_fee_per_year: 65,
    switching_discount: 15,
    minimum_monthly_kwh: 50,
    dynamic_share: 0.7,
    duration_months: 12,
  },
  // A big welcome discount, then dearer than it looks.
  discount_king: {
    day_buy_price: 0.12,
    night_buy_price: 0.104,
    day_sell_price: 0.03,
    night_sell_price: 0.02,
    buy_markup: 0.022,
    sell_markdown: 0.025,
    fixed_fee_per_year: 55,
    switching_discount: 100,
    minimum_monthly_kwh: 0,
    dynamic_share: 0.2,
    duration_months: 12,
  },
};
