/**
 * Belgian public holidays (the ten legal ones): on these the two-rate meter runs on the night
 * register all day, as on a Sunday, and the wholesale market prices like a weekend.
 */
const cache = new Map<number, Set<string>>();

/** Easter Sunday (Gregorian, the anonymous Meeus/Jones/Butcher algorithm) as [month 1–12, day]. */
export function easterSunday(year: number): [number, number] {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [month, day];
}

const key = (month: number, day: number) => `${month}-${day}`;

/** The holidays of `year` as `month-day` keys. */
export function belgianHolidays(year: number): Set<string> {
  let set = cache.get(year);
  if (set) return set;
  const [em, ed] = easterSunday(year);
  const easter = Date.UTC(year, em - 1, ed);
  const offset = (days: number) => {
    const d = new Date(easter + days * 86_400_000);
    return key(d.getUTCMonth() + 1, d.getUTCDate());
  };
  set = new Set([
    key(1, 1), // New Year
    offset(1), // Easter Monday
    key(5, 1), // Labour Day
    offset(39), // Ascension
    offset(50), // Whit Monday
    key(7, 21), // National Day
    key(8, 15), // Assumption
    key(11, 1), // All Saints
    key(11, 11), // Armistice
    key(12, 25), // Christmas
  ]);
  cache.set(year, set);
  return set;
}

export function isBelgianHoliday(year: number, month: number, day: number): boolean {
  return belgianHolidays(year).has(key(month, day));
}
