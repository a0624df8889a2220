/** Pure parts of the read side: batch plans, provider metrics, paging and search, the answer cache. */
import { planBatch, stagedEvent, type Applied } from '../../apps/projections/model/plan';
import { tradeTotals } from '../../apps/projections/model/trade-totals';
import { balanceRow, measuredRow, STAGE_COLUMNS, tradeRow } from '../../apps/projections/model/hot-rows';
import { providerMetrics } from '../../apps/projections/model/providers';
import {
  bucketSeconds,
  containsPattern,
  MAX_POINTS,
  pageOf,
  totalPages,
} from '../../apps/queries/model/paging';
import { Coalescer } from '../../apps/queries/model/coalescer';
import { ResultCache } from '../../apps/queries/model/result-cache';
import { TOPICS } from '../../apps/shared/contract';
import * as E from '../helpers/domain-events';

const T0 = '2025-03-03T10:00:00.000Z';
const at = (h: number) => E.hourIso(T0, h);
const applied = (...events: E.Published[]): Applied[] =>
  events.map((e) => ({ topic: e.topic, event: e.payload }) as Applied);

describe('planBatch', () => {
  it("keeps every row of the ticks' topics (the database picks the newest) and the newest other state", () => {
    const [s] = planBatch(
      applied(
        E.measured('h1', 'antwerp', at(2), { production_w: 2 }),
        E.measured('h1', 'antwerp', at(1), { production_w: 1 }),
        E.balance('h1', 'antwerp', at(1), 1),
        E.balance('h1', 'antwerp', at(3), 3),
        E.disconnected('h1', 'antwerp', at(5)),
        E.connected('h1', 'antwerp', at(4)),
        E.proposed('p', at(2), 0.2),
        E.proposed('p', at(1), 0.1),
      ),
    );
    // One staged row per event of the ticks' topics: its kind, its place in the batch (the
    // tie-breaker of two states of the same instant), its home.
    expect(s.stagedRows.map((r) => r.toString().split('\t').slice(0, 2))).toEqual([
      ['m', '1'],
      ['m', '2'],
      ['b', '3'],
      ['b', '4'],
    ]);
    expect(s.connections.get('h1')?.connected).toBe(false);
    expect(s.offers.get('p')?.simulation_time).toBe(at(2));
    expect(s.contractEvents).toHaveLength(2);
  });

  it('splits at a reset: before, then cleared, then after', () => {
    const segments = planBatch(
      applied(
        E.measured('a', 'antwerp', at(1)),
        E.reset(at(0)),
        E.measured('b', 'brabant', at(1)),
        E.tick(at(1), 1),
      ),
    );
    expect(segments).toHaveLength(2);
    expect(segments[0].reset).toBeUndefined();
    expect(segments[0].stagedRows.map((r) => r.toString().split('\t')[3])).toEqual(['a']);
    expect(segments[1].reset?.new_start_time).toBe(at(0));
    expect(segments[1].stagedRows.map((r) => r.toString().split('\t')[3])).toEqual(['b']);
    expect(segments[1].clock?.tick).toBe(1);
  });

  it('events staged on arrival keep their rows, in order, on their side of a reset', () => {
    const [m, r, b] = [E.measured('a', 'antwerp', at(1)), E.reset(at(0)), E.balance('b', 'brabant', at(1))];
    const [am, ar, ab] = applied(m, r, b);
    const staged = [stagedEvent(am, 1)!, ar, stagedEvent(ab, 3)!];
    expect(stagedEvent(ar, 2)).toBeUndefined();
    expect(staged[0].event).toEqual({ event_id: m.payload.event_id });
    const segments = planBatch(staged);
    expect(segments.map((s) => s.stagedRows.map(String))).toEqual([
      [measuredRow(1, am.event as never)],
      [balanceRow(3, ab.event as never)],
    ]);
    expect(segments[1].reset?.new_start_time).toBe(at(0));
  });

  it('a state change after a tick keeps the tick number and takes the newer speed', () => {
    const tick = E.tick(at(1), 7);
    const state = {
      topic: TOPICS.stateChanged,
      event: { event_id: 'x', simulation_time: at(1), change_type: 'paused', speed: 10, paused: true },
    } as Applied;
    const [s] = planBatch([...applied(tick), state]);
    expect(s.clock).toEqual({ simulation_time: at(1), speed: 10, paused: true, tick: 7 });
  });

  it('sums a trade by tariff period with volume-weighted prices', () => {
    const e = E.traded('h', 'antwerp', at(3), 3).payload;
    e.hours[1] = { ...e.hours[1], is_day: false, grid_import_kwh: 3, energy_price_per_kwh: 0.08 };
    const t = tradeTotals(e);
    expect(t).toMatchObject({
      hours: 3,
      grid_import_kwh: 5,
      import_day_kwh: 2,
      import_night_kwh: 3,
      first_hour: at(0),
    });
    expect(t.energy_price_per_kwh).toBeCloseTo((2 * 0.12 + 3 * 0.08) / 5, 12);
    expect(tradeTotals({ ...e, hours: [] }).energy_price_per_kwh).toBeNull();
  });
});

describe('providerMetrics', () => {
  it('ranks by customers, shares sum to 1, trend against the previous shares, cheapest most competitive', () => {
    const figures = [
      { provider_id: 'a', provider_name: 'A', customers: 10, price: 0.2 },
      { provider_id: 'b', provider_name: 'B', customers: 30, price: 0.1 },
      { provider_id: 'c', provider_name: 'C', customers: 0, price: null },
    ];
    const m = providerMetrics(
      figures,
      new Map([
        ['a', 0.5],
        ['b', 0.75],
      ]),
    );
    expect(m.map((x) => [x.provider_id, x.rank, x.trend])).toEqual([
      ['b', 1, 'flat'],
      ['a', 2, 'down'],
      ['c', 3, 'flat'],
    ]);
    expect(m.reduce((s, x) => s + x.market_share, 0)).toBeCloseTo(1, 12);
    expect(m.find((x) => x.provider_id === 'b')?.competitiveness).toBe(1);
    expect(m.find((x) => x.provider_id === 'a')?.competitiveness).toBe(0);
    expect(m.find((x) => x.provider_id === 'c')?.competitiveness).toBe(0.5);
    expect(providerMetrics([{ ...figures[2] }], new Map())[0].market_share).toBe(0);
  });
});

describe('paging and search', () => {
  it('pages', () => {
    expect(pageOf(3, 50)).toEqual({ limit: 50, offset: 100 });
    expect(totalPages(0, 20)).toBe(1);
    expect(totalPages(101, 50)).toBe(3);
  });
  it('search text is matched literally', () => {
    expect(containsPattern(' 50%_off\\ ')).toBe('%50\\%\\_off\\\\%');
  });
  it('history buckets keep at most MAX_POINTS points', () => {
    for (const h of [1, 24, 24 * 366]) expect((h * 3600) / bucketSeconds(h)).toBeLessThanOrEqual(MAX_POINTS);
  });
});

describe('ResultCache', () => {
  it('shares one load between identical calls in flight and within the TTL, never keeps failures', async () => {
    let now = 0;
    const cache = new ResultCache(250, 2, () => now);
    let loads = 0;
    const load = () => Promise.resolve(++loads);
    expect(await Promise.all([cache.get('k', load), cache.get('k', load)])).toEqual([1, 1]);
    now = 249;
    expect(await cache.get('k', load)).toBe(1);
    now = 800; // past twice the TTL: a call waits for a new answer
    expect(await cache.get('k', load)).toBe(2);
    await expect(cache.get('bad', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('bad', load)).toBe(3);
    await cache.get('x', load);
    await cache.get('y', load); // bound of 2: 'k' and 'bad' are gone
    expect(await cache.get('k', load)).toBe(6);
    expect(await new ResultCache(0).get('k', load)).toBe(7);
  });

  it('past the TTL serves the held answer while one call refreshes it, until twice the TTL', async () => {
    let now = 0;
    const cache = new ResultCache(250, 10, () => now);
    let loads = 0;
    let release: (() => void) | undefined;
    // Each load settles when released, so the test sees what callers get meanwhile.
    const load = () => new Promise<number>((r) => (release = () => r(++loads)));
    const first = cache.get('k', load);
    release!();
    expect(await first).toBe(1);
    now = 300;
    expect(await cache.get('k', load)).toBe(1); // stale, a refresh started
    expect(await cache.get('k', load)).toBe(1); // the same refresh, not a second one
    expect(cache.staleHits).toBe(2);
    release!();
    await new Promise((r) => setImmediate(r));
    expect(await cache.get('k', load)).toBe(2); // refreshed at 300: fresh again
    now = 560; // stale again; its refresh fails: the held answer stays until it ages out
    expect(await cache.get('k', () => Promise.reject(new Error('down')))).toBe(2);
    await new Promise((r) => setImmediate(r));
    now = 800; // 500 after the answer: no longer served
    const waited = cache.get('k', load);
    release!();
    expect(await waited).toBe(3);
  });
});

describe('staged rows', () => {
  it('a line has one field per staging column, text escaped, NULL as \\N', () => {
    const m = E.measured('h\t1\\x', 'antwerp', at(1)).payload;
    const t = E.traded('h2', 'antwerp', at(1), 2).payload;
    const b = E.balance('h3', 'antwerp', at(1)).payload;
    for (const line of [measuredRow(1, m), tradeRow(2, t), balanceRow(3, b)]) {
      expect(line.endsWith('\n')).toBe(true);
      expect(line.slice(0, -1).split('\t')).toHaveLength(STAGE_COLUMNS.length);
    }
    const fields = measuredRow(1, m).slice(0, -1).split('\t');
    const col = (name: string) => STAGE_COLUMNS.findIndex(([c]) => c === name);
    expect(fields[col('home_id')]).toBe('h\\t1\\\\x');
    expect(fields[col('production_w')]).toBe(String(m.production_w));
    expect(fields[col('grid_import_kwh')]).toBe('\\N');
    const trade = tradeRow(2, t).slice(0, -1).split('\t');
    expect(trade[col('hours')]).toBe('2');
    expect(trade[col('city')]).toBe('\\N');
    expect(trade[col('import_cost')]).toBe(String(tradeTotals(t).import_cost));
    const balance = balanceRow(3, b).slice(0, -1).split('\t');
    expect(balance[col('balance_eur')]).toBe(String(b.balance_eur));
    expect(balance[col('net_cost')]).toBe(String(b.net_cost));
  });
});

describe('Coalescer', () => {
  it('answers the calls of one event-loop turn with one load, identical keys once, split at maxKeys', async () => {
    const loads: string[][] = [];
    const c = new Coalescer<string, number>(
      async (keys) => {
        loads.push(keys);
        return new Map(keys.filter((k) => k !== 'missing').map((k) => [k, k.length]));
      },
      (k) => k,
      3,
    );
    const answers = await Promise.all(['a', 'bb', 'a', 'missing', 'cccc'].map((k) => c.get(k)));
    expect(answers).toEqual([1, 2, 1, undefined, 4]);
    expect(loads).toEqual([['a', 'bb', 'missing'], ['cccc']]);
    expect(await c.get('dd')).toBe(2); // a later turn: a load of its own
    expect(loads).toHaveLength(3);
  });

  it('a failed load fails every call it was answering', async () => {
    const c = new Coalescer<string, number>(
      () => Promise.reject(new Error('down')),
      (k) => k,
    );
    const calls = [c.get('a'), c.get('b')];
    for (const call of calls) await expect(call).rejects.toThrow('down');
  });
});
