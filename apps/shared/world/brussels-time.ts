/**
 * Belgian wall-clock time of a simulated UTC instant, without Intl in the hot path: the EU rule
 * (summer time from the last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC) is
 * all Europe/Brussels needs. Tariff windows and the day-ahead price's daily shape follow local time.
 */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

function lastSundayUtc(year: number, month: number): number {
  const lastDay = Date.UTC(year, month + 1, 0);
  const weekday = new Date(lastDay).getUTCDay();
  return lastDay - weekday * DAY_MS;
}

const dstCache = new Map<number, [number, number]>();

/** [start, end) of summer time in `year`, as UTC ms. */
export function summerTime(year: number): [number, number] {
  let range = dstCache.get(year);
  if (!range) {
    range = [lastSundayUtc(year, 2) + HOUR_MS, lastSundayUtc(year, 9) + HOUR_MS];
    dstCache.set(year, range);
  }
  return range;
}

/** UTC offset of Europe/Brussels at `utcMs`: 1 h in winter, 2 h in summer. */
export function brusselsOffsetMs(utcMs: number): number {
  const [start, end] = summerTime(new Date(utcMs).getUTCFullYear());
  return utcMs >= start && utcMs < end ? 2 * HOUR_MS : HOUR_MS;
}

/** The instant shifted so that its UTC fields read as Brussels wall-clock time. */
export function toLocalMs(utcMs: number): number {
  return utcMs + brusselsOffsetMs(utcMs);
}

export interface LocalTime {
  /** Local wall-clock ms (read its fields with getUTC*). */
  localMs: number;
  year: number;
  /** 1–12. */
  month: number;
  day: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** Fractional hour of the local day, [0, 24). */
  hour: number;
}

export function localTime(utcMs: number): LocalTime {
  const localMs = toLocalMs(utcMs);
  const d = new Date(localMs);
  return {
    localMs,
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    weekday: d.getUTCDay(),
    hour: (((localMs % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS,
  };
}

/** YYYY-MM of the local month containing `utcMs` (bills are per calendar month). */
export function localMonth(utcMs: number): string {
  const t = localTime(utcMs);
  return `${t.year}-${String(t.month).padStart(2, '0')}`;
}
