/** Simulated-clock arithmetic. The model reads simulated UTC time as Belgian wall-clock time. */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Sub-steps never exceed this (domain.md §3), and are aligned to it, so hours and tariffs never split one. */
export const SUB_STEP_MS = 15 * MINUTE_MS;
/** A contract month (domain.md §3: 12 months of 30 days). */
export const CONTRACT_MONTH_MS = 30 * DAY_MS;

export function dayIndex(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** Hour of day in [0, 24). */
export function hourOfDay(ms: number): number {
  return (((ms % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
}

/** Day of year, 1-based (1 January = 1). */
export function dayOfYear(ms: number): number {
  const d = new Date(ms);
  return Math.floor((ms - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY_MS) + 1;
}

/** Day tariff 06:00–18:00, night otherwise (domain.md §3). Wire code: 1 day, 2 night. */
export function isDayTariff(ms: number): boolean {
  const h = hourOfDay(ms);
  return h >= 6 && h < 18;
}

export function tariffCode(ms: number): 1 | 2 {
  return isDayTariff(ms) ? 1 : 2;
}
