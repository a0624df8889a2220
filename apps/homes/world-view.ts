/**
 * The world the homes live in, as the clock's ticks describe it (docs/domain.md, "time_advanced"):
 * each tick's weather (per day, this app's region) and day-ahead prices (per hour) are kept for the
 * interval they cover. A tick that does not cover its interval is counted and logged, and the home
 * falls back on the last price and on the climate of the season, so it never stops.
 */
import type { TimeAdvanced } from '../shared/contract';
import type { Region } from '../shared/env';
import { DAY_MS } from '../shared/world/brussels-time';
import { dayOfYear } from '../shared/world/clear-sky';
import { meanSunshine, meanTemperature } from '../shared/world/climate';
import type { WorldView } from './home';
import type { DayWorld } from './model/physics';

const KEPT_DAYS = 8;
const KEPT_HOURS = 24 * 4;

export class TickWorld implements WorldView {
  private readonly days = new Map<number, DayWorld>();
  private readonly prices = new Map<number, number>();
  private lastPrice = 0.09;
  /** Days and hours a tick should have described but did not. */
  gaps = 0;
  private gapsThisTick = 0;

  constructor(private readonly region: Region) {}

  /** Takes in one tick's world; returns how many of its interval's days or hours were missing. */
  absorb(tick: TimeAdvanced): void {
    this.gapsThisTick = 0;
    for (const w of tick.weather) {
      if (w.region !== this.region) continue;
      this.days.set(Math.floor(Date.parse(`${w.date}T00:00:00Z`) / DAY_MS), {
        sunshine: w.sunshine,
        temperatureC: w.temperature_c,
      });
    }
    for (const p of tick.prices) this.prices.set(Date.parse(p.hour), p.eur_per_kwh);
    trim(this.days, KEPT_DAYS);
    trim(this.prices, KEPT_HOURS);
  }

  /** Gaps found since the last `absorb`. */
  get tickGaps(): number {
    return this.gapsThisTick;
  }

  day = (dayIndex: number): DayWorld => {
    const w = this.days.get(dayIndex);
    if (w) return w;
    this.miss();
    const doy = dayOfYear(dayIndex * DAY_MS);
    const fallback = { sunshine: meanSunshine(doy), temperatureC: meanTemperature(doy) };
    this.days.set(dayIndex, fallback);
    return fallback;
  };

  price = (hourMs: number): number => {
    const p = this.prices.get(hourMs);
    if (p !== undefined) return (this.lastPrice = p);
    this.miss();
    this.prices.set(hourMs, this.lastPrice);
    return this.lastPrice;
  };

  private miss(): void {
    this.gaps++;
    this.gapsThisTick++;
  }

  clear(): void {
    this.days.clear();
    this.prices.clear();
  }
}

function trim<V>(map: Map<number, V>, keep: number): void {
  if (map.size <= keep) return;
  const drop = [...map.keys()].sort((a, b) => a - b).slice(0, map.size - keep);
  for (const k of drop) map.delete(k);
}
