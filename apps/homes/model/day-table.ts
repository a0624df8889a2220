/**
 * What every home of the simulation shares about one UTC day, computed once: per quarter hour the
 * tariff register (day/night in Brussels time), the local month the quarter is billed in, and the
 * normalised household and EV load shapes. The homes' hot loop reads these instead of converting
 * time zones 10^5 times per tick.
 */
import { DAY_MS, HOUR_MS, localTime } from '../../shared/world/brussels-time';
import { isDayTariffAt, isRestDay } from '../../shared/world/tariff-window';
import { householdShape, evShape, seasonalFactor } from './load-shapes';

export const QUARTERS_PER_DAY = 96;
const QUARTER_MS = DAY_MS / QUARTERS_PER_DAY;

export interface DayTable {
  dayIndex: number;
  /** 1 = day register, 0 = night. */
  isDay: Uint8Array;
  /** YYYY-MM (local) each quarter is billed in. */
  month: string[];
  /** Household load per quarter as a share of the year's consumption (sums to 1 over a year). */
  household: Float64Array;
  /** EV charging per quarter as a share of the year's EV consumption. */
  ev: Float64Array;
}

const cache = new Map<number, DayTable>();
const yearNorm = new Map<number, { household: number; ev: number }>();

/** Raw (unnormalised) shapes of the quarter starting at `utcMs`. */
function rawQuarter(utcMs: number): { household: number; ev: number; isDay: boolean; month: string } {
  const t = localTime(utcMs + QUARTER_MS / 2);
  const rest = isRestDay(t);
  const doy = Math.floor((t.localMs - Date.UTC(t.year, 0, 1)) / DAY_MS) + 1;
  return {
    household: householdShape(t.hour, rest) * seasonalFactor(doy),
    ev: evShape(t.hour, rest),
    isDay: isDayTariffAt(localTime(utcMs)),
    month: `${t.year}-${String(t.month).padStart(2, '0')}`,
  };
}

/** Sums of the raw shapes over a UTC year, so that a year of quarters sums to 1. */
function normaliser(year: number): { household: number; ev: number } {
  let n = yearNorm.get(year);
  if (!n) {
    let household = 0;
    let ev = 0;
    for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += QUARTER_MS) {
      const r = rawQuarter(t);
      household += r.household;
      ev += r.ev;
    }
    n = { household, ev };
    yearNorm.set(year, n);
  }
  return n;
}

export function dayTable(dayIndex: number): DayTable {
  let table = cache.get(dayIndex);
  if (table) return table;
  const start = dayIndex * DAY_MS;
  const norm = normaliser(new Date(start).getUTCFullYear());
  table = {
    dayIndex,
    isDay: new Uint8Array(QUARTERS_PER_DAY),
    month: new Array<string>(QUARTERS_PER_DAY),
    household: new Float64Array(QUARTERS_PER_DAY),
    ev: new Float64Array(QUARTERS_PER_DAY),
  };
  for (let q = 0; q < QUARTERS_PER_DAY; q++) {
    const r = rawQuarter(start + q * QUARTER_MS);
    table.isDay[q] = r.isDay ? 1 : 0;
    table.month[q] = r.month;
    table.household[q] = r.household / norm.household;
    table.ev[q] = r.ev / norm.ev;
  }
  if (cache.size > 800) cache.clear();
  cache.set(dayIndex, table);
  return table;
}

/** Start of the hour containing `ms`. */
export const hourStart = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;
