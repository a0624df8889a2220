/**
 * The five provider strategies (domain.md §4) as presets; a catalogue entry may override any value.
 * Steady Eddie, Night Owl and Discount King carry the original's values; the other two follow their names:
 * Solar Surfer pays well for daytime export, Peak Predator prices the day high and sells dynamic contracts.
 */
export const STRATEGIES = [
  'steady_eddie',
  'night_owl',
  'solar_surfer',
  'peak_predator',
  'discount_king',
] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface Terms {
  day_buy_price: number;
  night_buy_price: number;
  day_sell_price: number;
  night_sell_price: number;
  /** Dynamic contracts: € per kWh over the provider's spot buy price. */
  buy_markup: number;
  /** Dynamic contracts: € per kWh under the provider's spot sell price. */
  sell_markdown: number;
  switching_discount: number;
  minimum_monthly_kwh: number;
  /** Share of offers that are dynamic (0 = always static, 1 = always dynamic). */
  dynamic_share: number;
  duration_months: number;
}

export const PRESETS: Record<Strategy, Terms> = {
  steady_eddie: {
    day_buy_price: 0.15,
    night_buy_price: 0.12,
    day_sell_price: 0.1,
    night_sell_price: 0.08,
    buy_markup: 0.03,
    sell_markdown: 0.02,
    switching_discount: 15,
    minimum_monthly_kwh: 0,
    dynamic_share: 0,
    duration_months: 12,
  },
  night_owl: {
    day_buy_price: 0.22,
    night_buy_price: 0.06,
    day_sell_price: 0.12,
    night_sell_price: 0.04,
    buy_markup: 0.03,
    sell_markdown: 0.03,
    switching_discount: 50,
    minimum_monthly_kwh: 50,
    dynamic_share: 0.1,
    duration_months: 12,
  },
  solar_surfer: {
    day_buy_price: 0.19,
    night_buy_price: 0.13,
    day_sell_price: 0.14,
    night_sell_price: 0.05,
    buy_markup: 0.025,
    sell_markdown: 0.01,
    switching_discount: 30,
    minimum_monthly_kwh: 0,
    dynamic_share: 0.3,
    duration_months: 12,
  },
  peak_predator: {
    day_buy_price: 0.26,
    night_buy_price: 0.1,
    day_sell_price: 0.09,
    night_sell_price: 0.05,
    buy_markup: 0.04,
    sell_markdown: 0.03,
    switching_discount: 25,
    minimum_monthly_kwh: 100,
    dynamic_share: 0.5,
    duration_months: 12,
  },
  discount_king: {
    day_buy_price: 0.17,
    night_buy_price: 0.11,
    day_sell_price: 0.07,
    night_sell_price: 0.05,
    buy_markup: 0.01,
    sell_markdown: 0.02,
    switching_discount: 75,
    minimum_monthly_kwh: 0,
    dynamic_share: 1,
    duration_months: 12,
  },
};
