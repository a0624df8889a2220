/**
 * Contracts and the energy prices a home pays and gets per hour (docs/domain.md, "What a home pays"):
 * a static contract fixes day/night prices; a dynamic one follows its provider's hourly prices (the
 * day-ahead price ± markup/markdown); a home without a contract buys at the day-ahead price plus a
 * default markup. Whatever the terms, injection never pays more than the supplier's own energy price
 * at that hour.
 */
import type { PayloadOf, TOPICS } from '../../shared/contract';
import { CONTRACT_MONTH_MS } from './time';

/** An offer's terms as published (a received offer also carries its envelope). */
export type Offer = PayloadOf<typeof TOPICS.contractProposed>;

export interface Contract {
  contract_id: string;
  provider_id: string;
  offer: Offer;
  startMs: number;
  endMs: number;
}

/** Terms of a home without a contract: the day-ahead price plus a default supplier's margin. */
export const DEFAULT_MARKUP = 0.03;
export const DEFAULT_MARKDOWN = 0.03;

export interface HourPrices {
  /** Supplier energy price, excl. VAT. */
  energy: number;
  /** What one exported kWh earns. */
  export: number;
}

/** A provider's published dynamic prices for one hour (what `spot_price_updated` carries). */
export interface ProviderHour {
  buy: number;
  sell: number;
}

export function contractEnd(startMs: number, durationMonths: number): number {
  return startMs + durationMonths * CONTRACT_MONTH_MS;
}

/**
 * Prices under an offer's terms at one hour. `published` is the provider's own hourly quote when the
 * home has it; otherwise the same formula is applied to the tick's day-ahead price.
 */
export function offerPrices(
  offer: Offer | null,
  isDay: boolean,
  dayAhead: number,
  published?: ProviderHour,
): HourPrices {
  let energy: number;
  let exp: number;
  if (!offer) {
    energy = dayAhead + DEFAULT_MARKUP;
    exp = dayAhead - DEFAULT_MARKDOWN;
  } else if (offer.contract_type === 'static') {
    energy = isDay ? offer.day_buy_price : offer.night_buy_price;
    exp = isDay ? offer.day_sell_price : offer.night_sell_price;
  } else if (published) {
    energy = published.buy;
    exp = published.sell;
  } else {
    energy = dayAhead + offer.buy_markup;
    exp = dayAhead - offer.sell_markdown;
  }
  return { energy, export: Math.min(exp, energy) };
}

/** Rounds money to 1/10000 € for the wire (costs are summed from unrounded values). */
export function money(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
