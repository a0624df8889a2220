/**
 * The national hourly day-ahead price (docs/domain.md, "Day-ahead price"), €/kWh, shaped like the
 * Belgian market: a seasonal level (winter above summer), morning and evening peaks over a night
 * trough in Brussels time, cheaper weekends and holidays, a midday dip that deepens with sunshine and
 * goes negative on sunny summer middays (solar floods the market), a term that follows the mesh's net
 * demand per home, and a little seeded hourly noise. Floor −0.10, cap 0.60.
 */
import { seedFrom } from '../../shared/rng';
import { localTime } from '../../shared/world/brussels-time';
import { dayOfYear, sinElevation } from '../../shared/world/clear-sky';
import { isRestDay } from '../../shared/world/tariff-window';

export const PRICE_FLOOR = -0.1;
export const PRICE_CAP = 0.6;
/** Net demand per home (kW) the price treats as normal; more raises the price, export lowers it. */
export const NORMAL_NET_DEMAND_KW = 0.35;
const DEMAND_SLOPE = 0.03;
const DEMAND_LIMIT = 0.03;

/** Bell curve around `centre` (hours) with width `sigma`. */
const bell = (h: number, centre: number, sigma: number) => Math.exp(-0.5 * ((h - centre) / sigma) ** 2);

/** Seasonal level: about 0.115 in January, 0.065 in July. */
export function seasonalLevel(doy: number): number {
  return 0.09 + 0.025 * Math.cos((2 * Math.PI * (doy - 15)) / 365);
}

/** Daily shape at local hour `h`: night trough, morning and evening peaks (weaker on rest days). */
export function dailyShape(h: number, restDay: boolean): number {
  const morning = restDay ? 0.008 : 0.022;
  const evening = restDay ? 0.03 : 0.04;
  return (
    -0.028 * bell(h, 3.5, 2) + morning * bell(h, 8.5, 1.5) + evening * bell(h, 19, 2) - (restDay ? 0.012 : 0)
  );
}

/** Relative solar output across Belgium (0 at night, about 1 at a summer noon). */
export function solarShape(utcMs: number): number {
  const utcHour = (((utcMs % 86_400_000) + 86_400_000) % 86_400_000) / 3_600_000;
  const s = sinElevation(50.8, 4.4, dayOfYear(utcMs), utcHour + 0.5);
  return s > 0 ? s / 0.9 : 0;
}

/** Hash-based noise in [-1, 1) for one hour of one seed: the same hour always gets the same noise. */
function hourNoise(seed: string, hourIndex: number): number {
  let h = seedFrom(`${seed}:price:${hourIndex}`);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  return ((h ^ (h >>> 15)) >>> 0) / 2 ** 31 - 1;
}

export interface PriceInputs {
  seed: string;
  /** Start of the hour, UTC ms. */
  hourMs: number;
  /** National sunshine of that day in [0, 1]. */
  sunshine: number;
  /** Mesh-wide net demand per home (kW, + import) seen on the previous tick; null when unknown. */
  netDemandPerHomeKw: number | null;
}

export function dayAheadPrice(i: PriceInputs): number {
  const mid = i.hourMs + 1_800_000;
  const t = localTime(mid);
  const rest = isRestDay(t);
  const doy = dayOfYear(mid);
  const level = seasonalLevel(doy);
  const solarDip = 0.12 * i.sunshine ** 1.5 * solarShape(i.hourMs);
  const demand =
    i.netDemandPerHomeKw === null
      ? 0
      : Math.max(
          -DEMAND_LIMIT,
          Math.min(DEMAND_LIMIT, DEMAND_SLOPE * (i.netDemandPerHomeKw - NORMAL_NET_DEMAND_KW)),
        );
  const noise = 0.01 * hourNoise(i.seed, Math.floor(i.hourMs / 3_600_000));
  const price = level + dailyShape(t.hour, rest) - solarDip + demand + noise;
  return Math.round(Math.min(PRICE_CAP, Math.max(PRICE_FLOOR, price)) * 100_000) / 100_000;
}
