/**
 * Contracts and the prices a home pays and gets (domain.md §3–4). A static contract fixes day/night
 * prices; a dynamic one follows its provider's latest `spot_price_updated` ± markup/markdown; a home
 * without a contract buys and sells at the market spot.
 */
import type { Offer } from '../../shared/messages';
import { CONTRACT_MONTH_MS } from './time';

export interface Contract {
  contract_id: string;
  provider_id: string;
  offer: Offer;
  startMs: number;
  endMs: number;
}

export interface SpotQuote {
  buy: number;
  sell: number;
}

/**
 * Market spot with no demand observed yet: the formula of domain.md §4 at net demand 0 (0.10 €/kWh);
 * the sell side uses the same 0.8 ratio the providers apply.
 */
export const ZERO_DEMAND_SPOT: SpotQuote = { buy: 0.1, sell: 0.08 };

export interface Prices {
  importPrice: number;
  exportPrice: number;
}

export function contractEnd(startMs: number, durationMonths: number): number {
  return startMs + durationMonths * CONTRACT_MONTH_MS;
}

/** Prices under an offer's terms (also used to project a contract not yet taken). */
export function offerPrices(offer: Offer, isDay: boolean, spot: SpotQuote): Prices {
  if (offer.contract_type === 'static') {
    return isDay
      ? { importPrice: offer.day_buy_price, exportPrice: offer.day_sell_price }
      : { importPrice: offer.night_buy_price, exportPrice: offer.night_sell_price };
  }
  return {
    importPrice: spot.buy + offer.buy_markup,
    exportPrice: Math.max(0, spot.sell - offer.sell_markdown),
  };
}

export function contractPrices(contract: Contract | null, isDay: boolean, spot: SpotQuote): Prices {
  if (!contract) return { importPrice: spot.buy, exportPrice: spot.sell };
  return offerPrices(contract.offer, isDay, spot);
}

/** Rounds money to 1/10000 € for the wire (costs are summed from unrounded values). */
export function money(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
