/**
 * What a homes app knows of the market (domain.md §3–4): the latest offer per provider and the latest
 * spot quote per provider, from every region.
 */
import type { Offer } from '../shared/messages';
import { ZERO_DEMAND_SPOT, type SpotQuote } from './model/contract';

export class MarketView {
  readonly offers = new Map<string, Offer>();
  private readonly spot = new Map<string, SpotQuote>();

  /** Keeps the latest offer per provider (a later `valid_from` replaces an earlier one). */
  addOffer(offer: Offer): void {
    const held = this.offers.get(offer.provider_id);
    if (!held || offer.valid_from >= held.valid_from) this.offers.set(offer.provider_id, offer);
  }

  setSpot(providerId: string, quote: SpotQuote): void {
    this.spot.set(providerId, quote);
  }

  /** Mean of the providers' quotes: the price of a home without a contract. */
  marketSpot(): SpotQuote {
    if (this.spot.size === 0) return ZERO_DEMAND_SPOT;
    let buy = 0;
    let sell = 0;
    for (const q of this.spot.values()) {
      buy += q.buy;
      sell += q.sell;
    }
    return { buy: buy / this.spot.size, sell: sell / this.spot.size };
  }

  /** A provider's latest quote, the market spot when it has not quoted yet or for a home without contract. */
  spotFor = (providerId: string | null): SpotQuote =>
    (providerId !== null && this.spot.get(providerId)) || this.marketSpot();

  clear(): void {
    this.offers.clear();
    this.spot.clear();
  }
}
