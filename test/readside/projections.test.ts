/**
 * The projections app on a real gateway and real PostgreSQL (docs/read-side.md): every read model from
 * its events, out-of-order and duplicate delivery, a crash between commit and acknowledgement,
 * PostgreSQL stopped for 10 s while events flow, reset, and malformed events.
 */
import { connect, type GatewayClient } from '../../gateway/client';
import { ProjectionsApp } from '../../apps/projections/app';
import { registerMetrics } from '../../apps/projections/main';
import { ALL_EVENTS_PATTERN, EVENT_SCHEMAS, PROCEDURES, TOPICS } from '../../apps/shared/contract';
import { AppMetrics } from '../../apps/shared/metrics';
import { createLogger } from '../../apps/shared/logger';
import * as E from '../helpers/domain-events';
import { crashClient } from '../helpers/crash';
import { homesOnLanes } from '../helpers/lanes';
import {
  REALM,
  interestPropagated,
  procedurePropagated,
  startMesh,
  waitFor,
  type TestMesh,
} from '../helpers/mesh';
import { startTestPostgres, type TestDatabase, type TestPostgres } from '../helpers/pg';

jest.setTimeout(60_000);

const T0 = '2025-03-03T10:00:00.000Z';
const at = (h: number) => E.hourIso(T0, h);

let pg: TestPostgres;
let mesh: TestMesh;
let pub: GatewayClient;
const apps: ProjectionsApp[] = [];
const clients: GatewayClient[] = [];

beforeAll(async () => {
  [pg, mesh] = await Promise.all([startTestPostgres(), startMesh(1, 'line', 'tls')]);
  pub = await mesh.client(0, 'publisher');
}, 90_000);
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.stop()));
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
});
afterAll(async () => {
  await mesh?.stop();
  await pg?.stop();
});

let durableN = 0;
async function startProjections(db: TestDatabase, durable = `proj-${++durableN}`, reconnect = true) {
  const client = await connect({ url: mesh.url(0), realm: REALM, insecure: true, reconnect });
  clients.push(client);
  const app = new ProjectionsApp(client, {
    pool: db.pool,
    log: createLogger('projections-test'),
    durableName: durable,
    maxBatch: 500,
    flushMs: 20,
    maxInFlight: 2000,
    aggregates: false,
  });
  await app.start();
  apps.push(app);
  await interestPropagated(mesh, ALL_EVENTS_PATTERN, [0]);
  return { app, client, durable };
}

async function send(events: E.Published[]): Promise<void> {
  for (const e of events) void pub.publish(e.topic, e.payload);
  await pub.flush();
}

async function until(
  db: TestDatabase,
  sql: string,
  expected: unknown,
  what: string,
  ms = 15_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    last = (await db.pool.query(sql)).rows[0]?.v;
    if (JSON.stringify(last) === JSON.stringify(expected)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: expected ${JSON.stringify(expected)}, last ${JSON.stringify(last)}`);
}

const one = async (db: TestDatabase, sql: string, params: unknown[] = []) =>
  (await db.pool.query(sql, params)).rows[0];

describe('projections', () => {
  it('projects every read model from its events', async () => {
    const db = await pg.database();
    const { app } = await startProjections(db);
    await send([
      E.tick(at(1), 1, 2, 0.08),
      E.initialized('h1', 'antwerp', at(0)),
      E.connected('h1', 'antwerp', at(0)),
      E.measured('h1', 'antwerp', at(1), { production_w: 1500, consumption_w: 700, soc: 60, import_kwh: 11 }),
      E.traded('h1', 'antwerp', at(1), 2),
      E.balance('h1', 'antwerp', at(1), 9.5),
      E.billed('h1', 'antwerp', at(1), '2025-02', 101),
      E.switched('h1', 'antwerp', at(1), 100),
      E.expired('h1', 'antwerp', at(1)),
      E.proposed('p-eddie', at(1)),
      E.spot('p-eddie', at(1)),
      E.rejected('p-eddie', 'h1', at(1)),
    ]);
    await until(db, 'SELECT count(*)::int AS v FROM contract_events', 3, 'contract events');
    await waitFor(() => app.ingest.queued === 0, 5000, 'queue drained');
    const home = await one(db, 'SELECT * FROM home_states WHERE home_id = $1', ['h1']);
    expect(home).toMatchObject({
      name: 'Home h1',
      region: 'antwerp',
      city: 'Mechelen',
      postal_code: '2800',
      electricity_ean: '541448800000000017',
      connected: true,
      production_w: 1500,
      consumption_w: 700,
      state_of_charge_pct: 60,
      energy_import_kwh: 11,
      provider_id: 'p-eddie',
      cost_eur: 0.6,
      revenue_eur: 0.04,
      trades_import_kwh: 2,
    });
    expect(home).toMatchObject({ balance_net_cost: 9.5, balance_import_kwh: 40 });
    expect(await pg.count(db, 'energy_events')).toBe(1);
    expect(
      await one(
        db,
        'SELECT grid_import_kwh, import_day_kwh, hours, first_hour, energy_price_per_kwh FROM energy_trades',
      ),
    ).toEqual({
      grid_import_kwh: 2,
      import_day_kwh: 2,
      hours: 2,
      first_hour: new Date(at(-1)),
      energy_price_per_kwh: 0.12,
    });
    expect(await one(db, 'SELECT month, total, region FROM home_bills')).toEqual({
      month: '2025-02',
      total: 101,
      region: 'antwerp',
    });
    expect(await one(db, 'SELECT gross_savings, commission, net_savings FROM contract_switches')).toEqual({
      gross_savings: 100,
      commission: 20,
      net_savings: 80,
    });
    const types = await db.pool.query('SELECT event_type FROM contract_events ORDER BY event_type');
    expect(types.rows.map((r) => r.event_type)).toEqual(['expired', 'proposed', 'rejected']);
    expect(
      await one(db, 'SELECT strategy, contract_type, spot_hours IS NOT NULL AS spot FROM provider_states'),
    ).toEqual({ strategy: 'steady_eddie', contract_type: 'static', spot: true });
    expect(await pg.count(db, 'market_prices')).toBe(2);
    expect(await one(db, 'SELECT speed, paused, tick, day_ahead_eur_per_kwh FROM system_stats')).toEqual({
      speed: 3600,
      paused: false,
      tick: '1',
      day_ahead_eur_per_kwh: 0.081,
    });
    expect(await pg.count(db, 'region_stats', 'sunshine = 0.6')).toBe(3);
  });

  it('duplicates change nothing and late events never overwrite newer state', async () => {
    const db = await pg.database();
    await startProjections(db);
    const newer = E.measured('h2', 'brabant', at(5), { production_w: 2000 });
    const older = E.measured('h2', 'brabant', at(4), { production_w: 100 });
    const trade = E.traded('h2', 'brabant', at(5));
    const sw = E.switched('h2', 'brabant', at(5));
    const bal = E.balance('h2', 'brabant', at(5), 20);
    const lateBal = E.balance('h2', 'brabant', at(3), 1);
    const disc = E.disconnected('h2', 'brabant', at(6));
    const lateConn = E.connected('h2', 'brabant', at(2));
    // Newest first, then the older ones, and everything twice.
    await send([newer, trade, sw, bal, disc, newer, trade, sw, bal]);
    await until(db, 'SELECT count(*)::int AS v FROM energy_trades', 1, 'the trade');
    await send([older, lateBal, lateConn, trade, older]);
    await until(db, 'SELECT count(*)::int AS v FROM energy_events', 2, 'both measurements in history');
    await new Promise((r) => setTimeout(r, 200));
    const home = await one(db, 'SELECT * FROM home_states WHERE home_id = $1', ['h2']);
    expect(home.production_w).toBe(2000);
    expect(home.balance_net_cost).toBe(20);
    expect(home.connected).toBe(false);
    expect(home.cost_eur).toBeCloseTo(0.3, 10);
    expect(await pg.count(db, 'energy_trades')).toBe(1);
    expect(await pg.count(db, 'contract_switches')).toBe(1);
  });

  it('text with accents and with COPY’s own separators is stored as sent', async () => {
    const db = await pg.database();
    await startProjections(db);
    const cities = ['Hélécine', 'Tab\there', 'Back\\slash', 'Line\nbreak'];
    await send(cities.map((city, i) => E.measured(`c${i}`, 'brabant', at(1), { city })));
    await until(db, 'SELECT count(*)::int AS v FROM home_states', cities.length, 'every home');
    const rows = await db.pool.query<{ city: string }>('SELECT city FROM home_states ORDER BY home_id');
    expect(rows.rows.map((r) => r.city)).toEqual(cities);
  });

  it('a crash between commit and acknowledgement replays without double counting', async () => {
    const db = await pg.database();
    const first = await startProjections(db, 'proj-crash', false);
    let crashed = false;
    first.app.ingest.onCommitted = () => {
      if (crashed) return;
      crashed = true;
      crashClient(first.client); // committed, and the acknowledgement never leaves
    };
    const events = Array.from({ length: 50 }, (_, i) => E.traded(`h${i % 5}`, 'antwerp', at(i)));
    await send(events);
    await waitFor(() => crashed, 10_000, 'the first commit');
    const durable = mesh.gateways[0].durables.get('proj-crash')!;
    await waitFor(() => durable.sessionId === undefined, 10_000, 'the gateway to notice the crash');
    expect(durable.pending).toBe(50); // nothing acknowledged
    await first.app.stop();
    const committedBefore = await pg.count(db, 'energy_trades');
    expect(committedBefore).toBeGreaterThan(0);

    const second = await startProjections(db, 'proj-crash');
    await waitFor(() => durable.pending === 0, 10_000, 'the replay acknowledged by the second run');
    expect(await pg.count(db, 'energy_trades')).toBe(50);
    // The second run saw the first run's committed events again (replayed), and wrote nothing twice.
    expect(second.app.ingest.committed).toBeGreaterThanOrEqual(committedBefore);
    const sums = await one(
      db,
      'SELECT sum(cost_eur)::float8 AS cost, sum(trades_import_kwh)::float8 AS kwh FROM home_states',
    );
    expect(sums.kwh).toBeCloseTo(50, 9);
    expect(sums.cost).toBeCloseTo(15, 9);
  });

  it("two writers: a crash between the parts' commits acknowledges nothing and replays without double counting", async () => {
    const db = await pg.database();
    const first = await startProjections(db, 'proj-crash-parts', false);
    const [a, b] = homesOnLanes('h'); // a on the first writer, b on the second
    const trades = (home: string) => `SELECT count(*)::int AS v FROM energy_trades WHERE home_id = '${home}'`;
    let crashed = false;
    first.app.ingest.beforePartCommit = async (part) => {
      if (part !== 1 || crashed) return;
      crashed = true;
      // The first part is committed (seen from another connection) before the second commits…
      await until(db, `SELECT (${trades(a)}) > 0 AS v`, true, "the first part's commit");
      // …and then the process dies: no acknowledgement leaves, the second part never commits.
      crashClient(first.client);
      void first.app.ingest.stop();
      throw new Error('simulated crash between the two commits');
    };
    const events = Array.from({ length: 40 }, (_, i) => E.traded(i % 2 ? a : b, 'antwerp', at(i)));
    await send(events);
    await waitFor(() => crashed, 10_000, 'a batch with two parts');
    const durable = mesh.gateways[0].durables.get('proj-crash-parts')!;
    await waitFor(() => durable.sessionId === undefined, 10_000, 'the gateway to notice the crash');
    await first.app.stop();
    // Acknowledgements never run ahead of commits: part of a batch committed, none of it acknowledged.
    expect(durable.pending).toBe(40);
    expect((await one(db, trades(a))).v).toBeGreaterThan(0);
    expect((await one(db, trades(b))).v).toBe(0);

    await startProjections(db, 'proj-crash-parts');
    await waitFor(() => durable.pending === 0, 10_000, 'the replay acknowledged by the second run');
    expect(await pg.count(db, 'energy_trades')).toBe(40);
    const sums = await one(
      db,
      'SELECT sum(cost_eur)::float8 AS cost, sum(trades_import_kwh)::float8 AS kwh FROM home_states',
    );
    expect(sums.kwh).toBeCloseTo(40, 9);
    expect(sums.cost).toBeCloseTo(12, 9);
  });

  it('PostgreSQL stopped for 10 s while events flow, then back: nothing lost, nothing twice', async () => {
    const db = await pg.database();
    const { app } = await startProjections(db);
    const batch = (from: number) =>
      Array.from({ length: 100 }, (_, i) => E.measured(`h${i % 10}`, 'antwerp', at(from + i)));
    await send(batch(0));
    await until(db, 'SELECT count(*)::int AS v FROM energy_events', 100, 'events before the outage');
    await pg.halt();
    const down = Date.now();
    for (let s = 0; s < 5; s++) {
      await send(batch(1000 * (s + 1)));
      await new Promise((r) => setTimeout(r, 2000));
    }
    await waitFor(() => app.ingest.unavailableSince !== undefined, 1000, 'the outage noticed');
    expect(Date.now() - down).toBeGreaterThanOrEqual(10_000);
    await pg.resume();
    await until(
      db,
      'SELECT count(*)::int AS v FROM energy_events',
      600,
      'every event after the outage',
      30_000,
    );
    expect(app.ingest.dbErrors).toBeGreaterThan(0);
    expect(app.ingest.rejected).toBe(0);
    expect(await pg.count(db, 'home_states')).toBe(10);
  }, 90_000);

  it('reset clears every read model in one transaction, then applies what follows', async () => {
    const db = await pg.database();
    await startProjections(db);
    await send([
      E.tick(at(1), 1),
      E.measured('h1', 'antwerp', at(1)),
      E.traded('h1', 'antwerp', at(1)),
      E.billed('h1', 'antwerp', at(1), '2025-02'),
      E.switched('h1', 'antwerp', at(1)),
      E.proposed('p-eddie', at(1)),
    ]);
    await until(db, 'SELECT count(*)::int AS v FROM provider_states', 1, 'before the reset');
    const start = '2025-01-01T00:00:00.000Z';
    await send([E.reset(start), E.measured('h9', 'brabant', E.hourIso(start, 1))]);
    await until(
      db,
      "SELECT string_agg(home_id, ',') AS v FROM home_states",
      'h9',
      'only the home after the reset',
    );
    for (const table of [
      'energy_trades',
      'home_bills',
      'contract_switches',
      'contract_events',
      'provider_states',
      'market_prices',
    ])
      expect(await pg.count(db, table)).toBe(0);
    expect(await pg.count(db, 'energy_events')).toBe(1);
    const stats = await one(db, 'SELECT simulation_time, reset_at, tick FROM system_stats');
    expect(stats.reset_at.toISOString()).toBe(start);
    expect(stats.tick).toBeNull();
  });

  it('malformed events are counted per topic, never written, and the worker goes on', async () => {
    const db = await pg.database();
    const { app } = await startProjections(db);
    const bad = E.measured('h1', 'antwerp', at(1));
    void pub.publish(bad.topic, { ...bad.payload, production_w: 'lots' });
    void pub.publish('be.cortexiq.home.traded', { home_id: 'h1' });
    void pub.publish('be.cortexiq.something.else', { any: 1 });
    await send([E.measured('h3', 'antwerp', at(1))]);
    await until(db, 'SELECT count(*)::int AS v FROM energy_events', 1, 'the good event');
    expect(app.malformed.get('be.cortexiq.home.measured')).toBe(1);
    expect(app.malformed.get('be.cortexiq.home.traded')).toBe(1);
    expect(app.unknownTopics).toBe(1);
    expect(await pg.count(db, 'home_states', "home_id = 'h1'")).toBe(0);
  });

  it('publishes the aggregates of docs/read-side.md in the contract shapes, and /metrics has the ingest figures', async () => {
    const db = await pg.database();
    const client = await connect({ url: mesh.url(0), realm: REALM, insecure: true });
    clients.push(client);
    const app = new ProjectionsApp(client, {
      pool: db.pool,
      log: createLogger('projections-test'),
      durableName: `proj-${++durableN}`,
      maxBatch: 500,
      flushMs: 20,
      maxInFlight: 2000,
      aggregates: { totalsMs: 100, historyMs: 200, providersMs: 200, citiesMs: 200, throughputMs: 100 },
    });
    await app.start();
    apps.push(app);
    const seen = new Map<string, unknown>();
    const observer = await mesh.client(0, 'aggregates-observer');
    for (const topic of [
      TOPICS.totalsCalculated,
      TOPICS.historyUpdated,
      TOPICS.providerMetricsCalculated,
      TOPICS.cityMeasured,
      TOPICS.metricsThroughput,
    ])
      await observer.subscribe(topic, (payload) => void seen.set(topic, payload));
    await interestPropagated(mesh, TOPICS.cityMeasured, [0]);
    await send([
      E.tick(at(1), 1),
      E.measured('h1', 'antwerp', at(1), { production_w: 1000, city: 'Lier' }),
      E.measured('h2', 'brabant', at(1), { production_w: 500, city: 'Leuven' }),
      E.switched('h1', 'antwerp', at(1), 100),
      E.proposed('p-eddie', at(1)),
    ]);
    await until(db, 'SELECT count(*)::int AS v FROM home_states', 2, 'two homes');
    await waitFor(
      () =>
        (seen.get(TOPICS.totalsCalculated) as { production_w?: number } | undefined)?.production_w === 1500 &&
        (seen.get(TOPICS.cityMeasured) as { cities?: unknown[] } | undefined)?.cities?.length === 2 &&
        seen.size === 5,
      10_000,
      'every aggregate with the data',
    );
    for (const [topic, payload] of seen)
      expect(EVENT_SCHEMAS[topic as keyof typeof EVENT_SCHEMAS].safeParse(payload).success).toBe(true);
    expect(seen.get(TOPICS.totalsCalculated)).toMatchObject({
      total_homes: 2,
      contract_switches: 1,
      commission_eur: 20,
    });
    expect(seen.get(TOPICS.providerMetricsCalculated)).toMatchObject({
      providers: [{ provider_id: 'p-eddie', customers: 2, market_share: 1, rank: 1 }],
    });
    await until(
      db,
      'SELECT count(*)::int AS v FROM region_stats WHERE total_homes = 1',
      2,
      'region_stats refreshed',
    );
    expect(await pg.count(db, 'metrics_timeseries', "metric = 'events_per_s'")).toBeGreaterThan(0);

    const metrics = new AppMetrics('projections', { processMetrics: false });
    registerMetrics(app, metrics);
    const text = await metrics.text();
    expect(text).toMatch(/cortexiq_projection_events_total\{app="projections"\} 5/);
    for (const name of ['batch_size', 'lag_seconds', 'db_errors_total', 'database_up'])
      expect(text).toContain(`cortexiq_projection_${name}`);
  });

  it('register_home adds a home, validates its arguments, and a later event fills it in', async () => {
    const db = await pg.database();
    await startProjections(db);
    await procedurePropagated(mesh, PROCEDURES.registerHome);
    expect(
      await pub.call(PROCEDURES.registerHome, { home_id: 'new-1', region: 'brabant', name: 'Loft' }),
    ).toEqual({
      success: true,
      home_id: 'new-1',
      created: true,
    });
    expect(await pub.call(PROCEDURES.registerHome, { home_id: 'new-1', region: 'brabant' })).toMatchObject({
      created: false,
    });
    await expect(pub.call(PROCEDURES.registerHome, { home_id: 'x', region: 'mars' })).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.stringContaining('region'),
    });
    await send([E.measured('new-1', 'brabant', at(1), { production_w: 42 })]);
    await until(
      db,
      "SELECT production_w AS v FROM home_states WHERE home_id = 'new-1'",
      42,
      'the measurement',
    );
    expect(await one(db, "SELECT name FROM home_states WHERE home_id = 'new-1'")).toEqual({ name: 'Loft' });
  });
});
