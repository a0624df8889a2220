/**
 * Solar production (domain.md §3): zero outside daylight, a half-sine between sunrise and sunset,
 * scaled by capacity, by season and by weather. The half-sine is integrated exactly over each sub-step,
 * so a day's energy equals capacity × daily yield × weather whatever the step size.
 */
import { dayOfYear, DAY_MS, HOUR_MS } from './time';

/** Belgium's latitude, used for day length (the country spans 49.5–51.5 °N; the difference is minutes). */
const LATITUDE_RAD = (51 * Math.PI) / 180;

export interface SolarDay {
  sunriseH: number;
  sunsetH: number;
  /** kWh per kWp on a day with weather factor 1. */
  yieldKwhPerKwp: number;
  /** Peak kW per kWp at solar noon (weather factor 1). */
  peakKwPerKwp: number;
  /** Energy per kWp of each of the day's 96 quarter hours: the hot path of the model is a lookup. */
  quarters: Float64Array;
}

/**
 * Daily yield per kWp: about 4.35 kWh in late June and 0.75 in late December (a factor of about 6, as
 * Belgian PV monitoring shows), about 930 kWh/kWp a year.
 */
export function dailyYieldPerKwp(doy: number): number {
  return 2.55 + 1.8 * Math.cos((2 * Math.PI * (doy - 172)) / 365);
}

/** Day length from the solar declination (Cooper's formula). */
export function dayLengthHours(doy: number): number {
  const decl = ((23.44 * Math.PI) / 180) * Math.sin((2 * Math.PI * (284 + doy)) / 365);
  const x = Math.min(1, Math.max(-1, -Math.tan(LATITUDE_RAD) * Math.tan(decl)));
  return (2 * ((Math.acos(x) * 180) / Math.PI)) / 15;
}

const cache = new Map<number, SolarDay>();
let lastDay = Number.NaN;
let lastSolar: SolarDay | undefined;

/** Solar geometry of the simulated day containing `ms`; cached per day (shared by all homes). */
export function solarDay(ms: number): SolarDay {
  const day = Math.floor(ms / DAY_MS);
  if (day === lastDay && lastSolar) return lastSolar;
  let s = cache.get(day);
  if (!s) {
    const doy = dayOfYear(ms);
    const length = dayLengthHours(doy);
    const yieldKwhPerKwp = dailyYieldPerKwp(doy);
    s = {
      sunriseH: 12 - length / 2,
      sunsetH: 12 + length / 2,
      yieldKwhPerKwp,
      peakKwPerKwp: (yieldKwhPerKwp * Math.PI) / (2 * length),
      quarters: new Float64Array(96),
    };
    for (let q = 0; q < 96; q++) s.quarters[q] = solarEnergyPerKwp(s, q / 4, (q + 1) / 4);
    if (cache.size > 4096) cache.clear();
    cache.set(day, s);
  }
  lastDay = day;
  lastSolar = s;
  return s;
}

/**
 * Solar energy (kWh per kWp, weather factor 1) between two instants of the same day, given as hours of
 * that day: the integral of peak·sin(π(h − sunrise)/length) over [fromH, toH] ∩ [sunrise, sunset].
 */
export function solarEnergyPerKwp(day: Omit<SolarDay, 'quarters'>, fromH: number, toH: number): number {
  const a = Math.max(fromH, day.sunriseH);
  const b = Math.min(toH, day.sunsetH);
  if (b <= a) return 0;
  const length = day.sunsetH - day.sunriseH;
  const k = Math.PI / length;
  return (day.peakKwPerKwp / k) * (Math.cos(k * (a - day.sunriseH)) - Math.cos(k * (b - day.sunriseH)));
}

/** Instantaneous kW per kWp (weather factor 1) at `ms`. */
export function solarPowerPerKwp(ms: number): number {
  const day = solarDay(ms);
  const h = (((ms % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
  if (h <= day.sunriseH || h >= day.sunsetH) return 0;
  return day.peakKwPerKwp * Math.sin((Math.PI * (h - day.sunriseH)) / (day.sunsetH - day.sunriseH));
}

/** Weather of one simulated day (domain.md §3): sunny with p = 0.7, factor U[0.9,1.1]; else U[0.3,0.7]. */
export function drawWeatherFactor(next: () => number): number {
  return next() < 0.7 ? 0.9 + 0.2 * next() : 0.3 + 0.4 * next();
}
