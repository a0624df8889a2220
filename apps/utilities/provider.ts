/**
 * One running provider (docs/domain.md, "Providers"), without messaging: an offer every simulated
 * 12 h, its dynamic prices for every hour a tick covers, the monthly margin move toward its share
 * target, its contracts and the accept_offer rules. At most one offer per tick: a tick that spans
 * several 12-hour periods publishes the latest.
 */
import type { HourPrice } from '../shared/contract';
import { createRng, type Rng } from '../shared/rng';
import { localMonth } from '../shared/world/brussels-time';
import type { ProviderDefinition } from './catalogue';
import {
  dynamicHour,
  makeOffer,
  MIN_MARKUP,
  reactToShare,
  WHOLESALE_REFERENCE,
  type OfferTerms,
} from './model/pricing';

const HOUR_MS = 3_600_000;
export const OFFER_PERIOD_MS = 12 * HOUR_MS;
const CONTRACT_MONTH_MS = 30 * 24 * HOUR_MS;

export interface ProviderContract {
  contract_id: string;
  offer_id: string;
  home_id: string;
  startMs: number;
  endMs: number;
}

export type AcceptResult =
  { success: true; contract: ProviderContract; offer: OfferTerms } | { success: false; reason: string };

export class Provider {
  private readonly rng: Rng;
  /** Margin factor (1 = the catalogue's margins), moved once a month. */
  factor = 1;
  latestOffer: OfferTerms | null = null;
  private lastOfferPeriod: number | null = null;
  private reactedMonth: string | null = null;
  private readonly dayAhead = { month: '', sum: 0, hours: 0 };
  private seq = 0;
  readonly contracts = new Map<string, ProviderContract>();

  constructor(
    readonly def: ProviderDefinition,
    seed: string,
  ) {
    this.rng = createRng(`${seed}:provider:${def.id}`);
  }

  /** Mean day-ahead price of the current month so far (the reference before any). */
  monthMeanDayAhead(): number {
    return this.dayAhead.hours > 0 ? this.dayAhead.sum / this.dayAhead.hours : WHOLESALE_REFERENCE;
  }

  /** Takes in a tick's day-ahead prices; returns this provider's dynamic prices for each hour. */
  priceHours(prices: HourPrice[]): { hour: string; buy_price: number; sell_price: number }[] {
    const markup = Math.max(MIN_MARKUP, this.def.terms.buy_markup * this.factor);
    return prices.map((p) => {
      const month = localMonth(Date.parse(p.hour));
      if (month !== this.dayAhead.month) Object.assign(this.dayAhead, { month, sum: 0, hours: 0 });
      this.dayAhead.sum += p.eur_per_kwh;
      this.dayAhead.hours++;
      return { hour: p.hour, ...dynamicHour(p.eur_per_kwh, markup, this.def.terms.sell_markdown) };
    });
  }

  /**
   * A new offer when a 12-hour period began since the last one (or none yet). Once per simulated
   * month, before offering, the margin moves toward the share target.
   */
  maybeOffer(nowMs: number, share: number | null, providersInMesh: number): OfferTerms | null {
    const period = Math.floor(nowMs / OFFER_PERIOD_MS);
    if (this.lastOfferPeriod !== null && period <= this.lastOfferPeriod) return null;
    this.lastOfferPeriod = period;
    const month = localMonth(nowMs);
    if (this.reactedMonth === null) this.reactedMonth = month;
    if (share !== null && month !== this.reactedMonth) {
      this.reactedMonth = month;
      const target = this.def.marketShareTarget ?? 1 / Math.max(1, providersInMesh);
      this.factor = reactToShare(this.factor, share, target);
    }
    this.latestOffer = makeOffer({
      offerId: `${this.def.id}-o${++this.seq}-${period}`,
      providerId: this.def.id,
      providerName: this.def.name,
      strategy: this.def.strategy,
      region: this.def.region,
      terms: this.def.terms,
      factor: this.factor,
      monthMeanDayAhead: this.monthMeanDayAhead(),
      validFromMs: nowMs,
      rng: this.rng,
    });
    return this.latestOffer;
  }

  /** Only the latest offer is accepted (docs/domain.md, "accept_offer"). */
  accept(homeId: string, offerId: string, nowMs: number): AcceptResult {
    const offer = this.latestOffer;
    if (!offer) return { success: false, reason: 'no_offer' };
    if (offer.offer_id !== offerId) return { success: false, reason: 'offer_superseded' };
    const contract: ProviderContract = {
      contract_id: `${this.def.id}-c${++this.seq}`,
      offer_id: offerId,
      home_id: homeId,
      startMs: nowMs,
      endMs: nowMs + offer.duration_months * CONTRACT_MONTH_MS,
    };
    this.contracts.set(homeId, contract);
    return { success: true, contract, offer };
  }

  /** A home left (switched away, or its contract expired): its contract is freed. */
  release(homeId: string, contractId?: string): boolean {
    const c = this.contracts.get(homeId);
    if (!c || (contractId !== undefined && c.contract_id !== contractId)) return false;
    this.contracts.delete(homeId);
    return true;
  }
}
