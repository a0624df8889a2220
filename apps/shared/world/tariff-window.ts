/**
 * The Flemish two-rate meter (docs/domain.md, "Tariff periods"): the day register runs Monday to
 * Friday 07:00–22:00 Brussels time, the night register the rest of the week, weekends and public
 * holidays. Wire code: 1 day, 2 night.
 */
import { isBelgianHoliday } from './holidays';
import { localTime, type LocalTime } from './brussels-time';

/** Saturday, Sunday or a public holiday. */
export function isRestDay(t: LocalTime): boolean {
  return t.weekday === 0 || t.weekday === 6 || isBelgianHoliday(t.year, t.month, t.day);
}

export function isDayTariffAt(t: LocalTime): boolean {
  return !isRestDay(t) && t.hour >= 7 && t.hour < 22;
}

export function isDayTariff(utcMs: number): boolean {
  return isDayTariffAt(localTime(utcMs));
}

export function tariffCode(utcMs: number): 1 | 2 {
  return isDayTariff(utcMs) ? 1 : 2;
}
