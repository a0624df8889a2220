/**
 * What a year would cost under an offer, and the switching rules (docs/domain.md, "Contracts").
 * Once a month a home projects its next year from its own last 12 months under its contract and under
 * every offer it holds, network costs, fees and VAT included. It switches only when the recurring
 * yearly saving beats the threshold, and then only with a monthly propensity, as real households put
 * it off; a switching discount is reported on top of the saving but never tips the decision. At expiry
 * it renews with its provider's latest offer unless another saves more than the threshold (then it
 * moves with a higher propensity: the renewal letter makes people compare).
 */
import type { NetworkTariff } from '../network-tariffs';
import { VAT_RATE } from '../network-tariffs';
import { DEFAULT_MARKDOWN, DEFAULT_MARKUP, type Contract, type Offer } from './contract';
import type { AnnualUsage } from './history';

export const COMMISSION_RATE = 0.2;

export interface Savings {
  baseline_cost: number;
  new_cost: number;
  discount: number;
  gross_savings: number;
  commission: number;
  net_savings: number;
}

const r2 = (v: number) => Math.round(v * 100) / 100;

export function savings(baseline: number, newCost: number, discount: number): Savings {
  const gross = baseline - newCost + discount;
  const commission = gross > 0 ? gross * COMMISSION_RATE : 0;
  return {
    baseline_cost: r2(baseline),
    new_cost: r2(newCost),
    discount: r2(discount),
    gross_savings: r2(gross),
    commission: r2(commission),
    net_savings: r2(gross - commission),
  };
}

/** Projected yearly bill (€, all in) of a usage under an offer's terms; null = no contract. */
export function projectAnnualCost(offer: Offer | null, u: AnnualUsage, tariff: NetworkTariff): number {
  const imported = u.importDay + u.importNight;
  const exported = u.exportDay + u.exportNight;
  let energy: number;
  let revenue: number;
  let fee = 0;
  if (!offer) {
    energy = u.importAtDayAhead + imported * DEFAULT_MARKUP;
    revenue = u.exportAtDayAhead - exported * DEFAULT_MARKDOWN;
  } else if (offer.contract_type === 'static') {
    energy = u.importDay * offer.day_buy_price + u.importNight * offer.night_buy_price;
    revenue =
      u.exportDay * Math.min(offer.day_sell_price, offer.day_buy_price) +
      u.exportNight * Math.min(offer.night_sell_price, offer.night_buy_price);
    fee = offer.fixed_fee_per_year;
  } else {
    energy = u.importAtDayAhead + imported * offer.buy_markup;
    revenue = u.exportAtDayAhead - exported * offer.sell_markdown;
    fee = offer.fixed_fee_per_year;
  }
  const network = imported * tariff.perKwh;
  const capacity = 12 * tariff.capacityPerKwMonth * Math.max(u.peakKw, tariff.minimumPeakKw);
  const fixed = fee + tariff.dataFeePerYear;
  return (energy + network + capacity + fixed) * (1 + VAT_RATE) - revenue;
}

/** An offer with a minimum monthly volume the home does not reach is not open to it. */
export function isEligible(offer: Offer, u: AnnualUsage): boolean {
  return (u.importDay + u.importNight) / 12 >= offer.minimum_monthly_kwh;
}

export interface DecisionInput {
  contract: Contract | null;
  offers: Iterable<Offer>;
  usage: AnnualUsage;
  tariff: NetworkTariff;
  thresholdEur: number;
  /** Chance to act on a worthwhile saving this month. */
  propensity: number;
  /** Uniform [0, 1) draw of the home's own seeded stream. */
  draw: number;
}

export type Decision =
  | { kind: 'stay' }
  | { kind: 'switch'; offer: Offer; savings: Savings }
  | { kind: 'renew'; offer: Offer; savings: Savings }
  | { kind: 'spot' };

interface Priced {
  offer: Offer;
  cost: number;
}

function cheapest(input: DecisionInput, exclude: string | null): Priced | null {
  let best: Priced | null = null;
  for (const offer of input.offers) {
    if (offer.provider_id === exclude || !isEligible(offer, input.usage)) continue;
    const cost = projectAnnualCost(offer, input.usage, input.tariff);
    if (!best || cost < best.cost) best = { offer, cost };
  }
  return best;
}

/** The monthly check of a home whose contract runs. */
export function decideMonthly(input: DecisionInput): Decision {
  const { contract } = input;
  const baseline = projectAnnualCost(contract ? contract.offer : null, input.usage, input.tariff);
  const best = cheapest(input, contract ? contract.provider_id : null);
  if (!best) return { kind: 'stay' };
  const recurring = baseline - best.cost;
  // Without a contract (bought at day-ahead since an expiry with no offer) any saving is taken.
  const worthIt = contract ? recurring > input.thresholdEur : recurring > 0;
  if (!worthIt || input.draw >= (contract ? input.propensity : 1)) return { kind: 'stay' };
  return {
    kind: 'switch',
    offer: best.offer,
    savings: savings(baseline, best.cost, best.offer.switching_discount),
  };
}

/** Propensity at expiry, relative to the monthly one. */
export const EXPIRY_PROPENSITY_FACTOR = 1.5;

/** At expiry: renew with the provider's latest offer, or move when another saves enough. */
export function decideAtExpiry(input: DecisionInput, ownLatest: Offer | null): Decision {
  const best = cheapest(input, null);
  if (!best)
    return ownLatest ? { kind: 'renew', offer: ownLatest, savings: savings(0, 0, 0) } : { kind: 'spot' };
  if (!ownLatest || best.offer.provider_id === input.contract?.provider_id) {
    const kind = ownLatest ? 'renew' : 'switch';
    const baseline = projectAnnualCost(input.contract?.offer ?? null, input.usage, input.tariff);
    return { kind, offer: best.offer, savings: savings(baseline, best.cost, 0) };
  }
  const renewal = projectAnnualCost(ownLatest, input.usage, input.tariff);
  const moves =
    renewal - best.cost > input.thresholdEur &&
    input.draw < Math.min(1, input.propensity * EXPIRY_PROPENSITY_FACTOR);
  return moves
    ? {
        kind: 'switch',
        offer: best.offer,
        savings: savings(renewal, best.cost, best.offer.switching_discount),
      }
    : { kind: 'renew', offer: ownLatest, savings: savings(renewal, renewal, 0) };
}
