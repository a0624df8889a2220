/**
 * The dashboard's pure parts: bounded chart tables, the coalescing throttle, the live view model's
 * reducers, the Mesh view from admin samples, the map's geometry, and the CSRF tokens.
 */
import fc from 'fast-check';
import { CsrfTokens, originAllowed } from '../../apps/dashboard/server/csrf';
import { convexHull, projector, type LonLat } from '../../apps/dashboard/model/geo';
import { isDaylight, LiveState } from '../../apps/dashboard/model/live-state';
import { gaugesFrom, meshView, type AdminSample } from '../../apps/dashboard/model/mesh';
import { BoundedTable } from '../../apps/dashboard/model/series';
import { throttle, type Timers } from '../../apps/dashboard/model/throttle';
import type { TimeAdvanced } from '../../apps/shared/contract';

describe('BoundedTable', () => {
  it('keeps the newest `capacity` rows, replaces a row at the same x and ignores an older x', () => {
    const t = new BoundedTable(['a', 'b'] as const, 3);
    for (let i = 1; i <= 5; i++) t.push(i, { a: i });
    expect(t.toJSON()).toEqual({ t: [3, 4, 5], a: [3, 4, 5], b: [null, null, null] });
    expect(t.push(5, { b: 9 })).toBe(true);
    expect(t.push(2, { a: 2 })).toBe(false);
    expect(t.toJSON()).toEqual({ t: [3, 4, 5], a: [3, 4, 5], b: [null, null, 9] });
    expect(() => new BoundedTable(['a'], 0)).toThrow('capacity must be a positive integer, got 0');
  });

  it('never holds more than its capacity, whatever is pushed', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 })), fc.integer({ min: 1, max: 50 }), (xs, cap) => {
        const t = new BoundedTable(['v'], cap);
        for (const x of xs) t.push(x, { v: x });
        const j = t.toJSON();
        return t.length <= cap && j.t.every((x, i) => i === 0 || x > j.t[i - 1]);
      }),
    );
  });
});

describe('throttle', () => {
  function fakeTimers() {
    let now = 0;
    const pending: Array<{ at: number; fn: () => void }> = [];
    const timers: Timers = {
      now: () => now,
      setTimeout: (fn, ms) => {
        const p = { at: now + ms, fn };
        pending.push(p);
        return p;
      },
      clearTimeout: (h) => pending.splice(pending.indexOf(h as (typeof pending)[0]), 1),
    };
    const advance = (ms: number) => {
      now += ms;
      for (const p of pending.filter((x) => x.at <= now)) {
        pending.splice(pending.indexOf(p), 1);
        p.fn();
      }
    };
    return { timers, advance };
  }

  it('runs the first call at once and merges a burst into one trailing run per interval', () => {
    const { timers, advance } = fakeTimers();
    let runs = 0;
    const t = throttle(() => runs++, 100, timers);
    t();
    expect(runs).toBe(1);
    for (let i = 0; i < 1000; i++) t();
    expect(runs).toBe(1);
    advance(99);
    expect(runs).toBe(1);
    advance(1);
    expect(runs).toBe(2);
    advance(500);
    t();
    expect(runs).toBe(3);
    t();
    t.cancel();
    advance(200);
    expect(runs).toBe(3);
  });
});

const tick = (time: string, patch: Partial<TimeAdvanced> = {}): TimeAdvanced => ({
  event_id: `e-${time}`,
  simulation_time: time,
  previous_simulation_time: time,
  speed: 105120,
  paused: false,
  tick: 5,
  weather: [
    { date: '2025-03-01', region: 'antwerp', sunshine: 0.2, temperature_c: 4 },
    { date: '2025-03-02', region: 'antwerp', sunshine: 0.8, temperature_c: 9 },
    { date: '2025-03-02', region: 'brabant', sunshine: 0.7, temperature_c: 8 },
  ],
  prices: [
    { hour: '2025-03-02T11:00:00.000Z', eur_per_kwh: 0.07 },
    { hour: '2025-03-02T12:00:00.000Z', eur_per_kwh: 0.05 },
  ],
  ...patch,
});

describe('LiveState', () => {
  it('a tick sets the clock, today’s weather, the price of the current hour and the price chart', () => {
    const s = new LiveState();
    expect(s.timeAdvanced(tick('2025-03-02T12:30:00.000Z'))).toEqual(['clock', 'overview', 'prices']);
    expect(s.clock).toMatchObject({ tick: 5, is_day: true, day_ahead_eur_per_kwh: 0.05 });
    expect(s.clock.weather.map((w) => w.region)).toEqual(['antwerp', 'brabant']);
    expect(s.overview).toMatchObject({
      simulation_time: '2025-03-02T12:30:00.000Z',
      day_ahead_eur_per_kwh: 0.05,
    });
    expect(s.prices.toJSON().eur_per_kwh).toEqual([0.07, 0.05]);
    // A tick without weather of its day keeps the last known.
    s.timeAdvanced(tick('2025-03-02T23:30:00.000Z', { weather: [], prices: [] }));
    expect(s.clock.weather).toHaveLength(2);
    expect(s.clock.is_day).toBe(false);
  });

  it('totals fill the overview and the history; reset clears the charts and the figures', () => {
    const s = new LiveState();
    s.timeAdvanced(tick('2025-03-02T12:30:00.000Z'));
    const totals = {
      event_id: 'x',
      simulation_time: '2025-03-02T12:30:00.000Z',
      total_homes: 10,
      connected_homes: 9,
      production_w: 5000,
      consumption_w: 3000,
      avg_battery_pct: 50,
      energy_bought_kwh: 1,
      energy_sold_kwh: 2,
      cost_eur: 3,
      revenue_eur: 4,
      net_balance_eur: -1,
      contract_switches: 2,
      customer_savings_eur: 8,
      commission_eur: 2,
    };
    expect(s.totals(totals)).toEqual(['overview', 'history']);
    expect(s.overview).toMatchObject({ connected_homes: 9, speed: 105120, day_ahead_eur_per_kwh: 0.05 });
    // Totals at the same simulated time replace that point rather than adding one.
    s.totals({ ...totals, production_w: 6000 });
    expect(s.history.toJSON().production_w).toEqual([6000]);
    s.reset('2025-01-01T00:00:00.000Z');
    expect(s.history.length + s.prices.length).toBe(0);
    expect(s.overview).toMatchObject({
      connected_homes: 0,
      simulation_time: '2025-01-01T00:00:00.000Z',
      speed: 105120,
    });
  });

  it('the queries’ overview fills the cards only while no totals aggregate has come for 3 s', () => {
    let now = 0;
    const s = new LiveState(() => now);
    const answer = { ...s.overview, connected_homes: 135 };
    expect(s.overviewAnswered(answer)).toEqual(['overview']);
    expect(s.overview.connected_homes).toBe(135);
    s.totals({ ...answer, event_id: 'e', simulation_time: '2025-03-02T12:00:00.000Z', connected_homes: 140 });
    now += 2999;
    expect(s.overviewAnswered(answer)).toEqual([]);
    expect(s.overview.connected_homes).toBe(140);
    now += 1;
    s.overviewAnswered(answer);
    expect(s.overview.connected_homes).toBe(135);
  });

  it('regions add up their cities; locations come from home.initialized until the queries answer', () => {
    const s = new LiveState(() => 42);
    s.cities({
      event_id: 'c',
      simulation_time: '2025-03-02T12:00:00.000Z',
      cities: [
        { city: 'Mol', region: 'antwerp', homes: 2, production_w: 100, consumption_w: 50 },
        { city: 'Geel', region: 'antwerp', homes: 3, production_w: 200, consumption_w: 70 },
      ],
    });
    expect(s.regions.find((r) => r.region === 'antwerp')).toMatchObject({
      homes: 5,
      production_w: 300,
      consumption_w: 120,
      updated_at: 42,
    });
    const home = (id: string, lat: number) =>
      ({ home_id: id, city: 'Mol', region: 'antwerp', address: { latitude: lat, longitude: 5.1 } }) as never;
    s.homeInitialized(home('a', 51.0));
    s.homeInitialized(home('b', 51.2));
    expect(s.locations()).toEqual([
      { city: 'Mol', region: 'antwerp', homes: 2, latitude: 51.1, longitude: 5.1 },
    ]);
    s.locationsAnswered([]); // the read side has no coordinates yet: the events still place the homes
    expect(s.locations().map((l) => l.city)).toEqual(['Mol']);
    s.locationsAnswered([{ city: 'Geel', region: 'antwerp', homes: 7, latitude: 51.16, longitude: 4.99 }]);
    expect(s.locations().map((l) => l.city)).toEqual(['Geel']);
    // A region the answer lacks (its homes had not reached the read side) is placed by its events.
    const leuven = {
      home_id: 'c',
      city: 'Leuven',
      region: 'brabant',
      address: { latitude: 50.88, longitude: 4.7 },
    };
    expect(s.homeInitialized(leuven as never)).toEqual(['locations']);
    expect(s.locations().map((l) => `${l.region}/${l.city}`)).toEqual(['antwerp/Geel', 'brabant/Leuven']);
    expect(s.homeInitialized(home('d', 51.3))).toEqual([]); // antwerp is in the answer: nothing changes
    s.locationsAnswered([
      { city: 'Geel', region: 'antwerp', homes: 7, latitude: 51.16, longitude: 4.99 },
      { city: 'Aarschot', region: 'brabant', homes: 4, latitude: 50.98, longitude: 4.83 },
    ]);
    expect(s.locations().map((l) => l.city)).toEqual(['Geel', 'Aarschot']);
  });

  it('daylight at Brussels: noon yes, midnight no, a June 21:00 UTC evening no, a June 04:00 UTC morning yes', () => {
    expect(isDaylight(Date.parse('2025-01-15T12:00:00Z'))).toBe(true);
    expect(isDaylight(Date.parse('2025-01-15T00:00:00Z'))).toBe(false);
    expect(isDaylight(Date.parse('2025-06-21T20:30:00Z'))).toBe(false);
    expect(isDaylight(Date.parse('2025-06-21T04:00:00Z'))).toBe(true);
  });
});

describe('meshView', () => {
  const sample = (url: string, id: string, at: number, sent: number, state = 'up'): AdminSample => ({
    url,
    at,
    ok: true,
    gateway_id: id,
    peers: [
      {
        gateway_id: id === 'macula-hub' ? 'be-antwerp' : 'macula-hub',
        state,
        rtt_ms: 2,
        sent,
        received: sent,
      },
    ],
    clients: 3,
    subscriptions: 4,
    registrations: 5,
  });

  it('names roles and regions, rates messages between polls, and shows a silent gateway’s links down', () => {
    const ids = new Map([
      ['h', 'macula-hub'],
      ['a', 'be-antwerp'],
    ]);
    const first = [sample('h', 'macula-hub', 1000, 100), sample('a', 'be-antwerp', 1000, 100)];
    const prev = new Map(first.map((s) => [s.url, s]));
    const v = meshView(
      [sample('h', 'macula-hub', 2000, 150), sample('a', 'be-antwerp', 2000, 130)],
      prev,
      ids,
    );
    expect(v.gateways.map((g) => [g.id, g.role, g.region])).toEqual([
      ['macula-hub', 'hub', null],
      ['be-antwerp', 'edge', 'antwerp'],
    ]);
    expect(v.gateways[0].links).toEqual([{ peer: 'be-antwerp', up: true, rtt_ms: 2, msgs_per_s: 100 }]);
    expect(v.gateways[1].links[0].msgs_per_s).toBe(60);

    const down = meshView(
      [sample('h', 'macula-hub', 3000, 160), { url: 'a', at: 3000, ok: false, error: 'unreachable' }],
      prev,
      ids,
    );
    expect(down.gateways[1]).toMatchObject({
      id: 'be-antwerp',
      reachable: false,
      error: 'unreachable',
      clients: null,
    });
    expect(down.gateways[1].links).toEqual([
      { peer: 'macula-hub', up: false, rtt_ms: null, msgs_per_s: null },
    ]);
    expect(down.gateways[0].links[0].up).toBe(false); // its peer does not answer
    const reported = meshView(
      [sample('h', 'macula-hub', 3000, 160, 'down'), sample('a', 'be-antwerp', 3000, 160)],
      prev,
      ids,
    );
    expect(reported.gateways[0].links[0].up).toBe(false);
  });

  it('reads the gauges from Prometheus text', () => {
    const text =
      '# HELP macula_clients x\nmacula_clients 7\nmacula_subscriptions 12\nmacula_registrations{a="b"} 3\n';
    expect(gaugesFrom(text)).toEqual({ clients: 7, subscriptions: 12, registrations: 3 });
  });
});

describe('map geometry', () => {
  it('the hull contains every point and is convex', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 })), {
          minLength: 3,
        }),
        (pts) => {
          const hull = convexHull(pts as LonLat[]);
          if (hull.length < 3) return true;
          const cross = (o: LonLat, a: LonLat, b: LonLat) =>
            (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
          return hull.every((p, i) => {
            const q = hull[(i + 1) % hull.length];
            return pts.every((x) => cross(p, q, x as LonLat) >= 0);
          });
        },
      ),
    );
  });

  it('projects north up inside the box', () => {
    const p = projector({ minLon: 3, maxLon: 5, minLat: 50.5, maxLat: 51.5 }, 400, 200, 0);
    const [x1, y1] = p([3, 51.5]);
    const [x2, y2] = p([5, 50.5]);
    expect(x1).toBeLessThan(x2);
    expect(y1).toBeLessThan(y2);
    for (const v of [x1, x2]) expect(v).toBeGreaterThanOrEqual(0);
    expect(x2).toBeLessThanOrEqual(400);
    expect(y2).toBeLessThanOrEqual(200);
  });
});

describe('CSRF tokens', () => {
  it('verify when signed with the same key and in time; refuse forged, foreign, malformed and expired ones', () => {
    let now = 1_000_000;
    const tokens = new CsrfTokens('k'.repeat(40), () => now);
    const t = tokens.issue();
    expect(tokens.problem(t)).toBeNull();
    expect(new CsrfTokens('x'.repeat(40)).problem(t)).toBe('invalid x-csrf-token');
    expect(tokens.problem(t.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))).toBe('invalid x-csrf-token');
    expect(tokens.problem('nope')).toBe('malformed x-csrf-token');
    expect(tokens.problem(undefined)).toMatch(/missing x-csrf-token/);
    now += 25 * 3_600_000;
    expect(tokens.problem(t)).toBe('expired x-csrf-token; reload the page');
  });

  it('accepts a POST from the page’s own host or PHX_HOST, refuses another origin', () => {
    expect(originAllowed(undefined, 'localhost:4000', 'localhost')).toBe(true);
    expect(originAllowed('http://localhost:4000', 'localhost:4000', 'localhost')).toBe(true);
    expect(originAllowed('https://dash.example.org', 'pod:4000', 'dash.example.org')).toBe(true);
    expect(originAllowed('https://evil.example', 'localhost:4000', 'localhost')).toBe(false);
    expect(originAllowed('not a url', 'localhost:4000', 'localhost')).toBe(false);
  });
});
