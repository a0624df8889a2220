/**
 * What one tick tells everyone about the world (docs/domain.md, "time_advanced"): the weather of
 * every simulated day and the day-ahead price of every simulated hour its interval touches. An
 * hour's price is fixed the first time a tick carries it, so an hour split across two ticks has one
 * price. Pure: the simulation app feeds it the net demand it observes.
 */
import type { HourPrice, WeatherDay } from '../../shared/contract';
import { REGIONS } from '../../shared/env';
import { DAY_MS, HOUR_MS } from '../../shared/world/brussels-time';
import { dayAheadPrice } from './day-ahead';
import { nationalSunshine, weatherOn } from './weather';

/** A tick describes at most the last 48 simulated hours of its interval: homes integrate no more. */
export const WORLD_WINDOW_MS = 48 * HOUR_MS;

export interface WorldSlice {
  weather: WeatherDay[];
  prices: HourPrice[];
}

export class World {
  private readonly fixed = new Map<number, number>();
  /** Mesh-wide net demand per home (kW) from the last tick's measurements; null before any. */
  netDemandPerHomeKw: number | null = null;

  constructor(readonly seed: string) {}

  /** The price of the hour starting at `hourMs`, fixed at first use. */
  priceOf(hourMs: number): number {
    let p = this.fixed.get(hourMs);
    if (p === undefined) {
      p = dayAheadPrice({
        seed: this.seed,
        hourMs,
        sunshine: nationalSunshine(this.seed, hourMs),
        netDemandPerHomeKw: this.netDemandPerHomeKw,
      });
      this.fixed.set(hourMs, p);
      if (this.fixed.size > 4 * 24 * 7) this.forgetBefore(hourMs - 72 * HOUR_MS);
    }
    return p;
  }

  private forgetBefore(ms: number): void {
    for (const h of this.fixed.keys()) if (h < ms) this.fixed.delete(h);
  }

  /**
   * Weather and prices for (fromMs, toMs]; an empty interval (paused) still describes the hour and day
   * of `toMs`, so a dashboard always has the current price.
   */
  slice(fromMs: number, toMs: number): WorldSlice {
    const from = Math.max(fromMs, toMs - WORLD_WINDOW_MS);
    const lastMs = toMs > from ? toMs - 1 : toMs;
    const firstHour = Math.floor((toMs > from ? from : toMs) / HOUR_MS) * HOUR_MS;
    const prices: HourPrice[] = [];
    for (let h = firstHour; h <= lastMs; h += HOUR_MS) {
      prices.push({ hour: new Date(h).toISOString(), eur_per_kwh: this.priceOf(h) });
    }
    const weather: WeatherDay[] = [];
    for (let d = Math.floor(firstHour / DAY_MS) * DAY_MS; d <= lastMs; d += DAY_MS) {
      const date = new Date(d).toISOString().slice(0, 10);
      for (const region of REGIONS) {
        const w = weatherOn(this.seed, region, d);
        weather.push({ date, region, sunshine: w.sunshine, temperature_c: w.temperatureC });
      }
    }
    return { weather, prices };
  }

  reset(): void {
    this.fixed.clear();
    this.netDemandPerHomeKw = null;
  }
}
