/** Simulated-clock arithmetic of the homes model (UTC; local time lives in shared/world). */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Sub-steps never exceed this (the Belgian metering period), and are aligned to it. */
export const SUB_STEP_MS = 15 * MINUTE_MS;
/** A contract month (docs/domain.md, "Contracts": 12 months of 30 days). */
export const CONTRACT_MONTH_MS = 30 * DAY_MS;

export function dayIndex(ms: number): number {
  return Math.floor(ms / DAY_MS);
}
