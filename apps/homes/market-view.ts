/**
 * What a homes app knows of the market (docs/domain.md, "Providers"): the latest offer per provider
 * and each provider's published hourly dynamic prices, from every region.
 */
import type { SpotPriceUpdated } from '../shared/contract';
import type { Offer, ProviderHour } from './model/contract';

/** Hours of published prices kept per provider (a few ticks at the highest speed). */
const KEPT_HOURS = 24 * 7;

export class MarketView {
  readonly offers = new Map<string, Offer>();
  private readonly hours = new Map<string, Map<number, ProviderHour>>();

  /** Keeps the latest offer per provider (a later `valid_from` replaces an earlier one). */
  addOffer(offer: Offer): void {
    const held = this.offers.get(offer.provider_id);
    if (!held || Date.parse(offer.valid_from) >= Date.parse(held.valid_from))
      this.offers.set(offer.provider_id, offer);
  }

  addProviderHours(update: SpotPriceUpdated): void {
    let map = this.hours.get(update.provider_id);
    if (!map) this.hours.set(update.provider_id, (map = new Map()));
    for (const h of update.hours) map.set(Date.parse(h.hour), { buy: h.buy_price, sell: h.sell_price });
    if (map.size > KEPT_HOURS) {
      const drop = [...map.keys()].sort((a, b) => a - b).slice(0, map.size - KEPT_HOURS);
      for (const k of drop) map.delete(k);
    }
  }

  /** A provider's published prices for an hour, when it has published them. */
  providerHour(providerId: string | null, hourMs: number): ProviderHour | undefined {
    return providerId === null ? undefined : this.hours.get(providerId)?.get(hourMs);
  }

  clear(): void {
    this.offers.clear();
    this.hours.clear();
  }
}
