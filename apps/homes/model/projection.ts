/**
 * Contract projection and the switching rules (domain.md §3). Each simulated day a home projects its
 * annual cost under its contract and under every offer it holds, from its own day/night profile and
 * the offers' prices (Decision). It switches when the saving, plus the offer's switching discount when
 * the switch happens at least one day before expiry, exceeds the threshold, at most once per 30
 * simulated days. At expiry it renews or switches to the best offer; without offers it buys at spot.
 */
import type { Offer } from '../../shared/messages';
import { offerPrices, type Contract, type SpotQuote } from './contract';
import type { AnnualProfile } from './profile';
import { DAY_MS } from './time';

export const COMMISSION_RATE = 0.2;
export const MIN_DAYS_BETWEEN_SWITCHES = 30;

/** Projected annual net cost (€) of a profile under an offer's terms, or at spot when `offer` is null. */
export function projectAnnualCost(offer: Offer | null, profile: AnnualProfile, spot: SpotQuote): number {
  if (!offer) {
    const imp = profile.importDayKwh + profile.importNightKwh;
    const exp = profile.exportDayKwh + profile.exportNightKwh;
    return imp * spot.buy - exp * spot.sell;
  }
  const day = offerPrices(offer, true, spot);
  const night = offerPrices(offer, false, spot);
  return (
    profile.importDayKwh * day.importPrice +
    profile.importNightKwh * night.importPrice -
    profile.exportDayKwh * day.exportPrice -
    profile.exportNightKwh * night.exportPrice
  );
}

/** An offer with a minimum monthly volume the home does not reach is not open to it. */
export function isEligible(offer: Offer, profile: AnnualProfile): boolean {
  return (profile.importDayKwh + profile.importNightKwh) / 12 >= offer.minimum_monthly_kwh;
}

export interface Savings {
  baseline_cost: number;
  new_cost: number;
  discount: number;
  gross_savings: number;
  commission: number;
  net_savings: number;
}

export function savings(baseline: number, newCost: number, discount: number): Savings {
  const gross = baseline - newCost + discount;
  const commission = gross > 0 ? gross * COMMISSION_RATE : 0;
  return {
    baseline_cost: baseline,
    new_cost: newCost,
    discount,
    gross_savings: gross,
    commission,
    net_savings: gross - commission,
  };
}

export interface DecisionInput {
  nowMs: number;
  contract: Contract | null;
  offers: Iterable<Offer>;
  profile: AnnualProfile;
  /** Latest spot quote of a provider (for dynamic offers), the market spot when unknown. */
  spotFor: (providerId: string | null) => SpotQuote;
  thresholdEur: number;
  lastSwitchMs: number | null;
}

export type Decision =
  | { kind: 'stay' }
  | { kind: 'switch'; offer: Offer; savings: Savings }
  | { kind: 'renew'; offer: Offer; savings: Savings }
  | { kind: 'spot' };

function bestOffer(input: DecisionInput, exclude: string | null): { offer: Offer; cost: number } | null {
  let best: { offer: Offer; cost: number } | null = null;
  for (const offer of input.offers) {
    if (offer.provider_id === exclude || !isEligible(offer, input.profile)) continue;
    const cost = projectAnnualCost(offer, input.profile, input.spotFor(offer.provider_id));
    if (!best || cost < best.cost) best = { offer, cost };
  }
  return best;
}

function baselineCost(input: DecisionInput): number {
  const c = input.contract;
  return projectAnnualCost(c ? c.offer : null, input.profile, input.spotFor(c ? c.provider_id : null));
}

/** The daily check before expiry. */
export function decideDaily(input: DecisionInput): Decision {
  const { contract, nowMs } = input;
  if (contract && nowMs >= contract.endMs) return decideAtExpiry(input);
  const baseline = baselineCost(input);
  const best = bestOffer(input, contract ? contract.provider_id : null);
  if (!best) return { kind: 'stay' };
  if (!contract) {
    // Buying at spot (no offer was there at expiry): take the best offer as soon as it beats spot.
    return best.cost < baseline
      ? { kind: 'switch', offer: best.offer, savings: savings(baseline, best.cost, 0) }
      : { kind: 'stay' };
  }
  if (input.lastSwitchMs !== null && nowMs - input.lastSwitchMs < MIN_DAYS_BETWEEN_SWITCHES * DAY_MS) {
    return { kind: 'stay' };
  }
  const discount = contract.endMs - nowMs >= DAY_MS ? best.offer.switching_discount : 0;
  const s = savings(baseline, best.cost, discount);
  return s.gross_savings > input.thresholdEur
    ? { kind: 'switch', offer: best.offer, savings: s }
    : { kind: 'stay' };
}

/** At expiry: the cheapest offer, the current provider's (a renewal) included; spot when there is none. */
export function decideAtExpiry(input: DecisionInput): Decision {
  const best = bestOffer(input, null);
  if (!best) return { kind: 'spot' };
  const s = savings(baselineCost(input), best.cost, 0);
  const renew = input.contract !== null && best.offer.provider_id === input.contract.provider_id;
  return { kind: renew ? 'renew' : 'switch', offer: best.offer, savings: s };
}
