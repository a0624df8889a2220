/**
 * Clear-sky PV output per kWp by latitude, longitude, day of year and time (docs/domain.md, "Solar"):
 * sun elevation from the declination and the hour angle, output ∝ sin(elevation)^0.8 (the exponent
 * stands in for panels tilted towards the south, which catch more of a low winter sun than a flat
 * one). CLEAR_SKY_PEAK_KW scales a clear summer noon; the weather's `sunshine` multiplies it once.
 * The quarter-hour tables are integrated with Simpson's rule and cached per day and latitude, so the
 * homes' hot loop is a lookup.
 */
import { DAY_MS, HOUR_MS } from './brussels-time';

/** kW per kWp under a clear sky with the sun at the zenith; calibrated by `npm run sim:calibrate`. */
export const CLEAR_SKY_PEAK_KW = 0.86;
const DEG = Math.PI / 180;

export function dayOfYear(utcMs: number): number {
  const d = new Date(utcMs);
  return Math.floor((utcMs - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY_MS) + 1;
}

/** Solar declination (radians) on a day of the year (Cooper). */
export function declination(doy: number): number {
  return 23.44 * DEG * Math.sin((2 * Math.PI * (284 + doy)) / 365);
}

/** sin(elevation) of the sun at UTC hour `utcHour` of a day. */
export function sinElevation(latDeg: number, lonDeg: number, doy: number, utcHour: number): number {
  const lat = latDeg * DEG;
  const decl = declination(doy);
  const solarHour = utcHour + lonDeg / 15;
  const hourAngle = (solarHour - 12) * 15 * DEG;
  return Math.sin(lat) * Math.sin(decl) + Math.cos(lat) * Math.cos(decl) * Math.cos(hourAngle);
}

/** Clear-sky kW per kWp at an instant. */
export function clearSkyKwPerKwp(latDeg: number, lonDeg: number, utcMs: number): number {
  const s = sinElevation(latDeg, lonDeg, dayOfYear(utcMs), (((utcMs % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);
  return s > 0 ? CLEAR_SKY_PEAK_KW * s ** 0.8 : 0;
}

const cache = new Map<string, Float64Array>();

/**
 * Clear-sky kWh per kWp of each of the 96 UTC quarter hours of the UTC day `dayIndex`, at a
 * location rounded to 0.1° (a few kilometres change nothing a household would see).
 */
export function clearSkyQuarters(dayIndex: number, latDeg: number, lonDeg: number): Float64Array {
  const lat = Math.round(latDeg * 10) / 10;
  const lon = Math.round(lonDeg * 10) / 10;
  const key = `${dayIndex}:${lat}:${lon}`;
  let table = cache.get(key);
  if (table) return table;
  const doy = dayOfYear(dayIndex * DAY_MS);
  const power = (h: number) => {
    const s = sinElevation(lat, lon, doy, h);
    return s > 0 ? CLEAR_SKY_PEAK_KW * s ** 0.8 : 0;
  };
  table = new Float64Array(96);
  for (let q = 0; q < 96; q++) {
    const a = q / 4;
    const b = a + 0.25;
    table[q] = ((b - a) / 6) * (power(a) + 4 * power((a + b) / 2) + power(b));
  }
  if (cache.size > 20_000) cache.clear();
  cache.set(key, table);
  return table;
}
