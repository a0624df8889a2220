/**
 * One running provider (domain.md §4), without messaging: its offers every simulated 12 h, its spot
 * quote every simulated hour, its contracts and the accept_offer rules. At most one offer and one quote
 * per tick: a tick that spans several periods publishes the latest (as `home.traded`, one per tick).
 */
import type { Offer } from '../shared/messages';
import { createRng, type Rng } from '../shared/rng';
import type { ProviderDefinition } from './catalogue';
import { makeOffer, reactToShare, spotQuote } from './model/pricing';

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
  { success: true; contract: ProviderContract; offer: Offer } | { success: false; reason: string };

export class Provider {
  private readonly rng: Rng;
  factor = 1;
  latestOffer: Offer | null = null;
  private lastOfferPeriod: number | null = null;
  private lastQuoteHour: number | null = null;
  private seq = 0;
  readonly contracts = new Map<string, ProviderContract>();

  constructor(
    readonly def: ProviderDefinition,
    seed: string,
  ) {
    this.rng = createRng(`${seed}:provider:${def.id}`);
  }

  /** A new offer when a 12-hour period began since the last one (or none yet); reacts to share first. */
  maybeOffer(nowMs: number, share: number | null, providersInMesh: number): Offer | null {
    const period = Math.floor(nowMs / OFFER_PERIOD_MS);
    if (this.lastOfferPeriod !== null && period <= this.lastOfferPeriod) return null;
    this.lastOfferPeriod = period;
    if (share !== null && this.latestOffer) {
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
      validFromMs: nowMs,
      rng: this.rng,
    });
    return this.latestOffer;
  }

  /** A quote when a simulated hour began since the last one. */
  maybeQuote(nowMs: number, marketSpot: number): { buy_price: number; sell_price: number } | null {
    const hour = Math.floor(nowMs / HOUR_MS);
    if (this.lastQuoteHour !== null && hour <= this.lastQuoteHour) return null;
    this.lastQuoteHour = hour;
    return spotQuote(marketSpot);
  }

  /** Only the latest offer is accepted (domain.md §4). */
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
