/**
 * Household load shapes in Brussels time (docs/domain.md, "Consumption"), after the shape of the
 * Synergrid residential synthetic load profile: a low night base, a morning rise, a midday plateau
 * that is higher at weekends, and the evening peak; more in winter (light, indoor time). EV charging
 * is an evening block on working days and a daytime one at weekends. The values are relative; the
 * day table normalises them so a year sums to the home's annual consumption.
 */

/** Relative household power per local hour: working days, then rest days (weekends, holidays). */
const WORKDAY = [
  0.55, 0.45, 0.4, 0.38, 0.38, 0.42, 0.6, 0.9, 0.85, 0.7, 0.65, 0.65, 0.7, 0.65, 0.6, 0.6, 0.7, 0.95, 1.3,
  1.4, 1.3, 1.15, 0.95, 0.75,
];
const REST_DAY = [
  0.6, 0.5, 0.42, 0.4, 0.38, 0.4, 0.45, 0.55, 0.75, 0.95, 1.0, 1.05, 1.1, 1.0, 0.9, 0.85, 0.9, 1.05, 1.3,
  1.35, 1.25, 1.1, 0.95, 0.75,
];

/** Linear interpolation between hour centres, so the shape has no steps at full hours. */
function interpolate(values: number[], hour: number): number {
  const x = hour - 0.5;
  const i = Math.floor(x);
  const f = x - i;
  const a = values[(i + 24) % 24];
  const b = values[(i + 25) % 24];
  return a + (b - a) * f;
}

export function householdShape(localHour: number, restDay: boolean): number {
  return interpolate(restDay ? REST_DAY : WORKDAY, localHour);
}

/** Winter +22 %, summer −22 % around the mean. */
export function seasonalFactor(doy: number): number {
  return 1 + 0.22 * Math.cos((2 * Math.PI * (doy - 15)) / 365);
}

/** EV charging: 18:00–23:00 on working days, 10:00–16:00 on rest days. */
export function evShape(localHour: number, restDay: boolean): number {
  if (restDay) return localHour >= 10 && localHour < 16 ? 1 : 0;
  return localHour >= 18 && localHour < 23 ? 1 : 0;
}

/** Share of a heat-pump home's annual consumption that heats, and of an EV home's that drives. */
export const HEAT_PUMP_SHARE = 0.45;
export const EV_SHARE = 0.3;
