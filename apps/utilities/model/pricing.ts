/**
 * A provider's prices (docs/domain.md, "Providers"): offers built from its terms and its current
 * margin, hourly dynamic prices from the day-ahead price, and the monthly margin move toward its
 * market-share target. A margin is what an energy price sits above the wholesale reference; the move
 * scales it by 1–2 %, the energy price never falls below the month's mean day-ahead price plus a
 * minimum margin, and injection never pays more than the energy price.
 */
import type { PayloadOf, TOPICS } from '../../shared/contract';
import type { Rng } from '../../shared/rng';
import type { Strategy, Terms } from './strategies';

export type OfferTerms = PayloadOf<typeof TOPICS.contractProposed>;

/** Wholesale level the catalogue's margins are measured from (2025 Belgian day-ahead mean, €/kWh). */
export const WHOLESALE_REFERENCE = 0.08;
/** Smallest margin over the month's mean day-ahead price a provider accepts (€/kWh). */
export const MIN_MARGIN = 0.008;
/** Smallest markup of a dynamic contract (€/kWh). */
export const MIN_MARKUP = 0.005;
export const MIN_STEP = 0.01;
export const MAX_STEP = 0.02;
/** Share within ±10 % of target: no move. */
const DEAD_BAND = 0.1;

/**
 * The monthly reaction: below target the margin shrinks, above it grows, by 1–2 % depending on how
 * far off target the share is. Returns the new margin factor (1 = the catalogue's margins).
 */
export function reactToShare(factor: number, share: number, target: number): number {
  if (!(target > 0)) return factor;
  const gap = (share - target) / target;
  if (Math.abs(gap) <= DEAD_BAND) return factor;
  const step = MIN_STEP + (MAX_STEP - MIN_STEP) * Math.min(1, (Math.abs(gap) - DEAD_BAND) / 0.5);
  return factor * (gap > 0 ? 1 + step : 1 - step);
}

export function round(v: number, digits = 5): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** An energy price with its margin scaled by `factor`, kept above the month's floor. */
export function energyPrice(catalogue: number, factor: number, monthMeanDayAhead: number): number {
  const price = WHOLESALE_REFERENCE + (catalogue - WHOLESALE_REFERENCE) * factor;
  return Math.max(price, monthMeanDayAhead + MIN_MARGIN);
}

export interface OfferInput {
  offerId: string;
  providerId: string;
  providerName: string;
  strategy: Strategy;
  region: string;
  terms: Terms;
  /** Margin factor from the market-share reaction. */
  factor: number;
  /** Mean day-ahead price of the current month so far (the price floor). */
  monthMeanDayAhead: number;
  validFromMs: number;
  rng: Rng;
}

export function makeOffer(i: OfferInput): OfferTerms {
  const t = i.terms;
  const common = {
    offer_id: i.offerId,
    provider_id: i.providerId,
    provider_name: i.providerName,
    strategy: i.strategy,
    region: i.region as OfferTerms['region'],
    duration_months: t.duration_months,
    fixed_fee_per_year: t.fixed_fee_per_year,
    switching_discount: t.switching_discount,
    minimum_monthly_kwh: t.minimum_monthly_kwh,
    valid_from: new Date(i.validFromMs).toISOString(),
  };
  if (i.rng.next() < t.dynamic_share) {
    return {
      ...common,
      contract_type: 'dynamic',
      buy_markup: round(Math.max(MIN_MARKUP, t.buy_markup * i.factor)),
      sell_markdown: round(t.sell_markdown),
    };
  }
  const day = energyPrice(t.day_buy_price, i.factor, i.monthMeanDayAhead);
  const night = energyPrice(t.night_buy_price, i.factor, i.monthMeanDayAhead);
  return {
    ...common,
    contract_type: 'static',
    day_buy_price: round(day),
    night_buy_price: round(night),
    day_sell_price: round(Math.min(t.day_sell_price, day)),
    night_sell_price: round(Math.min(t.night_sell_price, night)),
  };
}

/** A dynamic contract's prices for one hour: day-ahead + markup, and − markdown for injection. */
export function dynamicHour(
  dayAhead: number,
  markup: number,
  markdown: number,
): { buy_price: number; sell_price: number } {
  const buy = round(dayAhead + markup);
  return { buy_price: buy, sell_price: round(Math.min(dayAhead - markdown, buy)) };
}
