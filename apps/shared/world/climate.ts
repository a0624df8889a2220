/**
 * Belgian climatology the weather is drawn around (docs/domain.md, "Weather"), shared by the world
 * that draws the weather and the homes that normalise their heating to it.
 */

/** Mean share of clear-sky sunshine on a day of the year: greyer winters, brighter summers. */
export function meanSunshine(doy: number): number {
  return 0.5 + 0.17 * Math.cos((2 * Math.PI * (doy - 180)) / 365);
}

/** Climatological daily mean temperature (°C), Uccle-like: about 3.5 in January, 18.5 in July. */
export function meanTemperature(doy: number): number {
  return 11 - 7.5 * Math.cos((2 * Math.PI * (doy - 20)) / 365);
}

/** Spread (°C) of a day's mean temperature around the climatology, as the weather draws it. */
export const TEMPERATURE_SPREAD_C = 3.3;
/** Heating degree days count below this daily mean (°C). */
export const HEATING_BASE_C = 16;

/** Expected heating degrees of a day: E[max(0, base − T)] for T normal around the climatology. */
export function expectedHeatingDegrees(doy: number): number {
  const m = HEATING_BASE_C - meanTemperature(doy);
  const s = TEMPERATURE_SPREAD_C;
  const z = m / s;
  const pdf = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
  return m * normalCdf(z) + s * pdf;
}

/** Expected heating degree days of a year (365 days). */
export const EXPECTED_HDD_PER_YEAR = Array.from({ length: 365 }, (_, d) =>
  expectedHeatingDegrees(d + 1),
).reduce((a, b) => a + b, 0);

/** Standard normal CDF (Abramowitz–Stegun 7.1.26, error < 1.5e-7). */
function normalCdf(z: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(z)) / Math.SQRT2);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-(z * z) / 2);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}
