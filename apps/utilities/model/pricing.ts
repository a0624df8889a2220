/**
 * Market spot price, provider quotes, offers and the market-share reaction (domain.md §4).
 */
import type { Offer } from '../../shared/messages';
import type { Rng } from '../../shared/rng';
import type { Strategy, Terms } from './strategies';

/** spot = 0.10 × (1 + u²), u = net_demand_kw / 1000, clamped to [0.01, 1.00] (Decision, domain.md §4). */
export function marketSpotPrice(netDemandKw: number): number {
  const u = netDemandKw / 1000;
  return Math.min(1, Math.max(0.01, 0.1 * (1 + u * u)));
}

/** What a provider pays for exported energy relative to the spot it buys at. */
export const SELL_RATIO = 0.8;

export function spotQuote(spot: number): { buy_price: number; sell_price: number } {
  return { buy_price: round(spot), sell_price: round(spot * SELL_RATIO) };
}

export const MAX_REACTION_STEP = 0.05;
export const REACTION_BOUNDS: [number, number] = [0.7, 1.3];

/**
 * Decision (beyond the original): below its market-share target a provider lowers its next offer by up
 * to 5 %, above it raises it by up to 5 %, in proportion to how far off target it is. Returns the new
 * price factor (kept within REACTION_BOUNDS of the catalogue prices).
 */
export function reactToShare(factor: number, share: number, target: number): number {
  if (!(target > 0)) return factor;
  const gap = Math.max(-1, Math.min(1, (share - target) / target));
  const next = factor * (1 + MAX_REACTION_STEP * gap);
  return Math.min(REACTION_BOUNDS[1], Math.max(REACTION_BOUNDS[0], next));
}

export function round(v: number, digits = 5): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export interface OfferInput {
  offerId: string;
  providerId: string;
  providerName: string;
  strategy: Strategy;
  region: string;
  terms: Terms;
  /** Market-share reaction: consumer prices × factor, what the provider pays ÷ factor. */
  factor: number;
  validFromMs: number;
  rng: Rng;
}

export function makeOffer(i: OfferInput): Offer {
  const common = {
    offer_id: i.offerId,
    provider_id: i.providerId,
    provider_name: i.providerName,
    strategy: i.strategy,
    region: i.region,
    duration_months: i.terms.duration_months,
    switching_discount: i.terms.switching_discount,
    minimum_monthly_kwh: i.terms.minimum_monthly_kwh,
    valid_from: i.validFromMs,
  };
  const t = i.terms;
  if (i.rng.next() < t.dynamic_share) {
    return {
      ...common,
      contract_type: 'dynamic',
      buy_markup: round(t.buy_markup * i.factor),
      sell_markdown: round(t.sell_markdown * i.factor),
    };
  }
  return {
    ...common,
    contract_type: 'static',
    day_buy_price: round(t.day_buy_price * i.factor),
    night_buy_price: round(t.night_buy_price * i.factor),
    day_sell_price: round(t.day_sell_price / i.factor),
    night_sell_price: round(t.night_sell_price / i.factor),
  };
}

/** The wire form of an offer (`valid_from` as ISO 8601). */
export function offerPayload(offer: Offer): Record<string, unknown> {
  return { ...offer, valid_from: new Date(offer.valid_from).toISOString() };
}
