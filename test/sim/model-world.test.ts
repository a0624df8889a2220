/**
 * The world every app shares (docs/domain.md, "The world" and "Tariff periods"): Brussels
 * wall-clock time of a simulated UTC instant, Belgian public holidays, the Flemish two-rate window,
 * the seeded weather and the national day-ahead price, and what one tick carries of them.
 */
import fc from 'fast-check';
import { REGIONS } from '../../apps/shared/env';
import { brusselsOffsetMs, localMonth, localTime } from '../../apps/shared/world/brussels-time';
import { belgianHolidays, easterSunday, isBelgianHoliday } from '../../apps/shared/world/holidays';
import { isDayTariff, tariffCode } from '../../apps/shared/world/tariff-window';
import { dayAheadPrice, PRICE_CAP, PRICE_FLOOR } from '../../apps/simulation/model/day-ahead';
import { weatherOn } from '../../apps/simulation/model/weather';
import { World, WORLD_WINDOW_MS } from '../../apps/simulation/model/world';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (iso: string) => Date.parse(iso);

/** Brussels wall-clock fields of an instant, from the platform's time-zone database. */
const brussels = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Brussels',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  weekday: 'short',
  hourCycle: 'h23',
});
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
function intlFields(ms: number) {
  const parts = Object.fromEntries(brussels.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    weekday: WEEKDAYS.indexOf(parts.weekday),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
  };
}

describe('Brussels time', () => {
  it('matches the Europe/Brussels time zone at any instant of 2000–2040 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: at('2000-01-01T00:00:00Z'), max: at('2040-12-31T23:59:59Z') }), (ms) => {
        const t = localTime(ms);
        const ref = intlFields(ms);
        expect([t.year, t.month, t.day, t.weekday]).toEqual([ref.year, ref.month, ref.day, ref.weekday]);
        expect(Math.floor(t.hour)).toBe(ref.hour);
        expect(Math.floor((t.hour % 1) * 60 + 1e-9)).toBe(ref.minute);
      }),
      { numRuns: 2000 },
    );
  });

  it('switches to summer time at 01:00 UTC on the last Sundays of March and October', () => {
    expect(brusselsOffsetMs(at('2025-03-30T00:59:59Z'))).toBe(HOUR);
    expect(brusselsOffsetMs(at('2025-03-30T01:00:00Z'))).toBe(2 * HOUR);
    expect(localTime(at('2025-03-30T01:00:00Z')).hour).toBe(3);
    expect(brusselsOffsetMs(at('2025-10-26T00:59:59Z'))).toBe(2 * HOUR);
    expect(brusselsOffsetMs(at('2025-10-26T01:00:00Z'))).toBe(HOUR);
    // A bill's month is the local one: 31 January 23:30 UTC is already February in Brussels.
    expect(localMonth(at('2025-01-31T23:30:00Z'))).toBe('2025-02');
    expect(localMonth(at('2025-06-30T21:59:00Z'))).toBe('2025-06');
    expect(localMonth(at('2025-06-30T22:00:00Z'))).toBe('2025-07');
  });
});

describe('Belgian public holidays', () => {
  it('finds Easter Sunday', () => {
    expect(easterSunday(2008)).toEqual([3, 23]);
    expect(easterSunday(2019)).toEqual([4, 21]);
    expect(easterSunday(2024)).toEqual([3, 31]);
    expect(easterSunday(2025)).toEqual([4, 20]);
    expect(easterSunday(2026)).toEqual([4, 5]);
    expect(easterSunday(2038)).toEqual([4, 25]);
  });

  it('are the ten legal holidays, moving feasts included', () => {
    expect([...belgianHolidays(2025)].sort()).toEqual(
      ['1-1', '4-21', '5-1', '5-29', '6-9', '7-21', '8-15', '11-1', '11-11', '12-25'].sort(),
    );
    // 2026: Easter Monday 6 April, Ascension 14 May, Whit Monday 25 May.
    for (const [m, d] of [
      [4, 6],
      [5, 14],
      [5, 25],
    ])
      expect(isBelgianHoliday(2026, m, d)).toBe(true);
    expect(isBelgianHoliday(2026, 4, 21)).toBe(false);
    expect(isBelgianHoliday(2025, 12, 26)).toBe(false); // Boxing Day is not a Belgian legal holiday
  });
});

describe('Flemish two-rate tariff window (Brussels time)', () => {
  const cases: [string, string, 1 | 2][] = [
    ['Wednesday 21:59 (winter, UTC+1)', '2025-01-15T20:59:00Z', 1],
    ['Wednesday 22:00 (winter)', '2025-01-15T21:00:00Z', 2],
    ['Wednesday 06:59 (winter)', '2025-01-15T05:59:00Z', 2],
    ['Wednesday 07:00 (winter)', '2025-01-15T06:00:00Z', 1],
    ['Wednesday 21:59 (summer, UTC+2)', '2025-06-11T19:59:00Z', 1],
    ['Wednesday 22:00 (summer)', '2025-06-11T20:00:00Z', 2],
    ['Saturday noon', '2025-01-18T11:00:00Z', 2],
    ['Sunday noon (summer)', '2025-06-15T10:00:00Z', 2],
    ['Friday noon', '2025-01-17T11:00:00Z', 1],
    ['1 May (Labour Day, a Thursday) noon', '2025-05-01T10:00:00Z', 2],
    ['30 April noon', '2025-04-30T10:00:00Z', 1],
    ['Easter Monday 2025 noon', '2025-04-21T10:00:00Z', 2],
    ['the Tuesday after Easter noon', '2025-04-22T10:00:00Z', 1],
    ['Ascension 2025 noon', '2025-05-29T10:00:00Z', 2],
    ['Christmas 2025 (a Thursday) noon', '2025-12-25T11:00:00Z', 2],
    // DST: the first Monday of summer time opens the day register at 05:00 UTC, the Monday before at 06:00.
    ['Monday 24 March 06:00 local (05:00 UTC, winter)', '2025-03-24T05:00:00Z', 2],
    ['Monday 24 March 07:00 local (06:00 UTC)', '2025-03-24T06:00:00Z', 1],
    ['Monday 31 March 06:59 local (04:59 UTC, summer)', '2025-03-31T04:59:00Z', 2],
    ['Monday 31 March 07:00 local (05:00 UTC)', '2025-03-31T05:00:00Z', 1],
    ['Monday 31 March 21:59 local (19:59 UTC)', '2025-03-31T19:59:00Z', 1],
    ['Monday 31 March 22:00 local (20:00 UTC)', '2025-03-31T20:00:00Z', 2],
    ['Friday 24 October 22:00 local (20:00 UTC, last summer-time weekday)', '2025-10-24T20:00:00Z', 2],
    ['Monday 27 October 06:59 local (05:59 UTC, winter again)', '2025-10-27T05:59:00Z', 2],
    ['Monday 27 October 07:00 local (06:00 UTC)', '2025-10-27T06:00:00Z', 1],
    ['Monday 27 October 21:59 local (20:59 UTC)', '2025-10-27T20:59:00Z', 1],
  ];
  it.each(cases)('%s → %s', (_name, iso, code) => {
    expect(tariffCode(at(iso))).toBe(code);
  });

  it('is day exactly on working days 07:00–22:00 local, holidays excluded (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: at('2024-01-01T00:00:00Z'), max: at('2030-12-31T23:59:59Z') }), (ms) => {
        const t = intlFields(ms);
        const working =
          t.weekday >= 1 && t.weekday <= 5 && !belgianHolidays(t.year).has(`${t.month}-${t.day}`);
        expect(isDayTariff(ms)).toBe(working && t.hour >= 7 && t.hour < 22);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('weather', () => {
  it('is the same for a seed, within its bounds, and differs for another seed', () => {
    const a = Array.from({ length: 365 }, (_, d) =>
      weatherOn('w1', 'antwerp', at('2025-01-01T00:00:00Z') + d * DAY),
    );
    const again = Array.from({ length: 365 }, (_, d) =>
      weatherOn('w1', 'antwerp', at('2025-01-01T12:00:00Z') + d * DAY),
    );
    const other = Array.from({ length: 365 }, (_, d) =>
      weatherOn('w2', 'antwerp', at('2025-01-01T00:00:00Z') + d * DAY),
    );
    expect(again).toEqual(a);
    expect(other).not.toEqual(a);
    for (const w of a) {
      expect(w.sunshine).toBeGreaterThanOrEqual(0);
      expect(w.sunshine).toBeLessThanOrEqual(1);
      expect(w.temperatureC).toBeGreaterThan(-25);
      expect(w.temperatureC).toBeLessThan(40);
    }
  });

  it('is seasonal and correlated across the regions', () => {
    const start = at('2025-01-01T00:00:00Z');
    const year = (region: (typeof REGIONS)[number]) =>
      Array.from({ length: 365 }, (_, d) => weatherOn('cortexiq', region, start + d * DAY));
    const [ant, bra] = [year('antwerp'), year('brabant')];
    const mean = (v: number[]) => v.reduce((x, y) => x + y, 0) / v.length;
    const jan = ant.slice(0, 31);
    const jul = ant.slice(181, 212);
    expect(mean(jul.map((w) => w.temperatureC)) - mean(jan.map((w) => w.temperatureC))).toBeGreaterThan(10);
    expect(mean(jul.map((w) => w.sunshine))).toBeGreaterThan(mean(jan.map((w) => w.sunshine)));
    const x = ant.map((w) => w.sunshine);
    const y = bra.map((w) => w.sunshine);
    const mx = mean(x);
    const my = mean(y);
    const cov = mean(x.map((v, i) => (v - mx) * (y[i] - my)));
    const sd = (v: number[], m: number) => Math.sqrt(mean(v.map((u) => (u - m) ** 2)));
    expect(cov / (sd(x, mx) * sd(y, my))).toBeGreaterThan(0.6);
  });
});

describe('day-ahead price', () => {
  const inputs = fc.record({
    seed: fc.string({ maxLength: 10 }),
    hourMs: fc.integer({ min: 480_000, max: 500_000 }).map((h) => h * HOUR), // 2024-10 … 2027-01
    sunshine: fc.double({ min: 0, max: 1, noNaN: true }),
    netDemandPerHomeKw: fc.option(fc.double({ min: -1000, max: 1000, noNaN: true })),
  });

  it('is deterministic for its inputs and stays within [-0.10, 0.60] (property)', () => {
    fc.assert(
      fc.property(inputs, (i) => {
        const p = dayAheadPrice(i);
        expect(dayAheadPrice({ ...i })).toBe(p);
        expect(Number.isFinite(p)).toBe(true);
        expect(p).toBeGreaterThanOrEqual(PRICE_FLOOR);
        expect(p).toBeLessThanOrEqual(PRICE_CAP);
        expect([PRICE_FLOOR, PRICE_CAP]).toEqual([-0.1, 0.6]);
      }),
      { numRuns: 3000 },
    );
  });

  it('gives the same series for the same seed and another series for another seed (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 10 }),
        fc.string({ maxLength: 10 }),
        fc.integer({ min: at('2025-01-01T00:00:00Z'), max: at('2026-12-01T00:00:00Z') }),
        (seed, otherSeed, fromMs) => {
          fc.pre(seed !== otherSeed);
          const toMs = fromMs + 2 * DAY;
          const series = new World(seed).slice(fromMs, toMs).prices;
          expect(new World(seed).slice(fromMs, toMs).prices).toEqual(series);
          expect(new World(otherSeed).slice(fromMs, toMs).prices).not.toEqual(series);
          for (const p of series) {
            expect(p.eur_per_kwh).toBeGreaterThanOrEqual(-0.1);
            expect(p.eur_per_kwh).toBeLessThanOrEqual(0.6);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  const price = (iso: string, sunshine: number, netDemandPerHomeKw: number | null = null) =>
    dayAheadPrice({ seed: 'shape', hourMs: at(iso), sunshine, netDemandPerHomeKw });

  it('has an evening peak over the night trough, and winter above summer', () => {
    // Wednesday 15 January: 19:00 local (18:00 UTC) against 03:00 local (02:00 UTC); noise is ±0.01.
    expect(price('2025-01-15T18:00:00Z', 0.3) - price('2025-01-15T02:00:00Z', 0.3)).toBeGreaterThan(0.04);
    expect(price('2025-01-15T02:00:00Z', 0.3) - price('2025-07-16T01:00:00Z', 0.3)).toBeGreaterThan(0.02);
  });

  it('dips below zero at a sunny summer weekend midday, not on a grey one', () => {
    expect(price('2025-06-22T11:00:00Z', 1)).toBeLessThan(0);
    expect(price('2025-06-22T11:00:00Z', 0.1)).toBeGreaterThan(0.02);
  });

  it('rises with the mesh-wide net demand, within ±0.03 €/kWh', () => {
    const hour = '2025-02-12T10:00:00Z';
    const none = price(hour, 0.4);
    expect(price(hour, 0.4, 5)).toBeCloseTo(none + 0.03, 5);
    expect(price(hour, 0.4, -5)).toBeCloseTo(none - 0.03, 5);
    expect(price(hour, 0.4, 0.45)).toBeGreaterThan(price(hour, 0.4, 0.25));
  });
});

describe('what a tick carries (World.slice)', () => {
  it('prices every hour and describes every day (per region) the interval touches', () => {
    const w = new World('tick');
    const s = w.slice(at('2025-03-01T22:30:00Z'), at('2025-03-02T01:10:00Z'));
    expect(s.prices.map((p) => p.hour)).toEqual([
      '2025-03-01T22:00:00.000Z',
      '2025-03-01T23:00:00.000Z',
      '2025-03-02T00:00:00.000Z',
      '2025-03-02T01:00:00.000Z',
    ]);
    expect(s.weather.map((d) => `${d.date} ${d.region}`)).toEqual(
      ['2025-03-01', '2025-03-02'].flatMap((date) => REGIONS.map((r) => `${date} ${r}`)),
    );
  });

  it("fixes an hour's price at first use, so an hour split over two ticks has one price", () => {
    const w = new World('split');
    w.netDemandPerHomeKw = -3;
    const first = w.slice(at('2025-05-01T09:00:00Z'), at('2025-05-01T10:20:00Z')).prices;
    w.netDemandPerHomeKw = 3; // the next tick would price a new hour higher
    const second = w.slice(at('2025-05-01T10:20:00Z'), at('2025-05-01T11:30:00Z')).prices;
    expect(second[0]).toEqual(first[first.length - 1]);
    expect(second[1].eur_per_kwh).toBe(
      dayAheadPrice({
        seed: 'split',
        hourMs: at('2025-05-01T11:00:00Z'),
        sunshine:
          REGIONS.reduce((a, r) => a + weatherOn('split', r, at('2025-05-01T00:00:00Z')).sunshine, 0) / 3,
        netDemandPerHomeKw: 3,
      }),
    );
  });

  it('describes the current hour while paused and at most the last 48 hours of a long jump', () => {
    const w = new World('pause');
    const now = at('2025-08-10T14:45:00Z');
    expect(w.slice(now, now).prices.map((p) => p.hour)).toEqual(['2025-08-10T14:00:00.000Z']);
    const long = w.slice(now - 10 * DAY, now);
    expect(long.prices).toHaveLength(WORLD_WINDOW_MS / HOUR + 1);
    expect(long.prices.at(-1)?.hour).toBe('2025-08-10T14:00:00.000Z');
  });
});
