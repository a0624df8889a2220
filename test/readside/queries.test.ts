/**
 * The queries app over a real gateway on real PostgreSQL (docs/read-side.md, Queries): every procedure with
 * valid and invalid arguments, not_found, paging limits, and injection attempts in search text.
 * The read models are filled by the projections' own writer from contract events.
 */
import { connect, GatewayError, type GatewayClient } from '../../gateway/client';
import { planBatch, type Applied } from '../../apps/projections/model/plan';
import { prepareWriter, writeSegment } from '../../apps/projections/writer';
import { QueriesApp } from '../../apps/queries/app';
import { HOME_SEARCH_TEXT } from '../../apps/queries/reads';
import { PROCEDURES, overviewSchema, regionSummarySchema } from '../../apps/shared/contract';
import { createLogger } from '../../apps/shared/logger';
import * as E from '../helpers/domain-events';
import { REALM, procedurePropagated, startMesh, type TestMesh } from '../helpers/mesh';
import { startTestPostgres, type TestDatabase, type TestPostgres } from '../helpers/pg';

jest.setTimeout(60_000);

const T0 = '2025-06-02T00:00:00.000Z';
const at = (h: number) => E.hourIso(T0, h);

let pg: TestPostgres;
let mesh: TestMesh;
let db: TestDatabase;
let app: QueriesApp;
let caller: GatewayClient;
let server: GatewayClient;

async function write(events: E.Published[]): Promise<void> {
  const client = await db.pool.connect();
  try {
    await prepareWriter(client);
    await client.query('BEGIN');
    for (const s of planBatch(events.map((e) => ({ topic: e.topic, event: e.payload }) as Applied)))
      await writeSegment(client, s);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

/** 30 homes over the three regions, 48 hourly measurements and trades each, bills, switches, offers. */
async function seed(): Promise<void> {
  const regions = ['antwerp', 'brabant', 'east-flanders'] as const;
  const events: E.Published[] = [];
  for (let i = 0; i < 30; i++) {
    const home = `home-${String(i).padStart(3, '0')}`;
    const region = regions[i % 3];
    const city = i % 2 ? 'Mechelen' : "Sint-Niklaas_%'";
    events.push(E.initialized(home, region, at(0), city));
    events.push(E.connected(home, region, at(0)));
    for (let h = 1; h <= 48; h++) {
      events.push(
        E.measured(home, region, at(h), {
          production_w: 100 * i,
          consumption_w: 500,
          soc: 40 + (i % 10),
          city,
        }),
      );
      events.push(E.traded(home, region, at(h)));
    }
    events.push(E.billed(home, region, at(24), '2025-05', 80 + i));
    if (i < 6) events.push(E.switched(home, region, at(30), 50));
  }
  for (let h = 1; h <= 48; h++) events.push(E.tick(at(h), h, 1, 0.05 + h / 1000));
  events.push(E.proposed('p-eddie', at(1), 0.12, 0.1), E.proposed('p-owl', at(1), 0.16, 0.07));
  await write(events);
}

beforeAll(async () => {
  [pg, mesh] = await Promise.all([startTestPostgres(), startMesh(1, 'line', 'tls')]);
  db = await pg.database();
  await seed();
  server = await connect({ url: mesh.url(0), realm: REALM, insecure: true });
  app = new QueriesApp(server, db.pool, createLogger('queries-test'));
  await app.start();
  caller = await mesh.client(0, 'caller');
  await procedurePropagated(mesh, PROCEDURES.getRegionSummary);
}, 120_000);
afterAll(async () => {
  await app?.stop();
  await server?.close();
  await mesh?.stop();
  await pg?.stop();
});

const call = <T = Record<string, unknown>>(procedure: string, args?: unknown) =>
  caller.call<T>(procedure, args);

async function codeOf(procedure: string, args: unknown): Promise<{ code: string; message: string }> {
  try {
    await call(procedure, args);
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return { code: (err as GatewayError).code, message: (err as Error).message };
  }
  throw new Error(`${procedure} accepted ${JSON.stringify(args)}`);
}

describe('queries', () => {
  it('get_overview has the contract shape and the seeded figures', async () => {
    const o = overviewSchema.parse(await call(PROCEDURES.getOverview));
    expect(o).toMatchObject({
      total_homes: 30,
      connected_homes: 30,
      contract_switches: 6,
      speed: 3600,
      paused: false,
    });
    expect(o.production_w).toBe(100 * ((29 * 30) / 2));
    expect(o.cost_eur).toBeCloseTo(30 * 48 * 0.3, 6);
    expect(o.net_balance_eur).toBeCloseTo(o.revenue_eur - o.cost_eur, 9);
    expect(o.customer_savings_eur).toBeCloseTo(6 * 40, 9);
    expect(o.commission_eur).toBeCloseTo(6 * 10, 9);
    expect(o.day_ahead_eur_per_kwh).toBeCloseTo(0.05 + 48 / 1000, 9);
    expect((await codeOf(PROCEDURES.getOverview, { extra: 1 })).code).toBe('invalid_argument');
  });

  it('get_region_summary: every region with its homes, switches and average bill', async () => {
    const s = regionSummarySchema.parse(await call(PROCEDURES.getRegionSummary));
    expect(s.regions.map((r) => r.region)).toEqual(['antwerp', 'brabant', 'east-flanders']);
    const antwerp = s.regions[0];
    expect(antwerp).toMatchObject({ total_homes: 10, connected_homes: 10, contract_switches: 2 });
    // antwerp holds homes 0, 3, …, 27: bills 80 + i
    expect(antwerp.avg_bill_eur_per_month).toBeCloseTo(80 + 13.5, 9);
  });

  it('get_home, home_exists, provider_exists and not_found', async () => {
    const h = await call(PROCEDURES.getHome, { home_id: 'home-007' });
    expect(h).toMatchObject({ home_id: 'home-007', region: 'brabant', production_w: 700, connected: true });
    expect(await call(PROCEDURES.getHome, { home_id: 'home-007' })).toHaveProperty('balance', null);
    expect(await call(PROCEDURES.homeExists, { home_id: 'home-007' })).toEqual({ exists: true });
    expect(await call(PROCEDURES.homeExists, { home_id: 'nope' })).toEqual({ exists: false });
    expect(await call(PROCEDURES.providerExists, { provider_id: 'p-owl' })).toEqual({ exists: true });
    const missing = await codeOf(PROCEDURES.getHome, { home_id: 'nope' });
    expect(missing).toEqual({ code: 'not_found', message: "home_id: no home 'nope'" });
    expect((await codeOf(PROCEDURES.getHome, {})).message).toMatch(/home_id/);
    expect((await codeOf(PROCEDURES.getHome, { home_id: 42 })).code).toBe('invalid_argument');
  });

  it('get_homes pages, filters, sorts, and enforces its limits', async () => {
    const p1 = await call<{ homes: Array<{ home_id: string }>; total: number; total_pages: number }>(
      PROCEDURES.getHomes,
      { page: 1, page_size: 4, region: 'antwerp', sort_by: 'production_w', sort_direction: 'desc' },
    );
    expect(p1.total).toBe(10);
    expect(p1.total_pages).toBe(3);
    expect(p1.homes.map((h) => h.home_id)).toEqual(['home-027', 'home-024', 'home-021', 'home-018']);
    const p3 = await call<{ homes: unknown[] }>(PROCEDURES.getHomes, {
      page: 3,
      page_size: 4,
      region: 'antwerp',
    });
    expect(p3.homes).toHaveLength(2);
    const beyond = await call<{ homes: unknown[]; total: number }>(PROCEDURES.getHomes, {
      page: 99,
      page_size: 4,
    });
    expect(beyond).toMatchObject({ homes: [], total: 30 });
    expect(await codeOf(PROCEDURES.getHomes, { page_size: 101 })).toEqual({
      code: 'invalid_argument',
      message: expect.stringMatching(/^get_homes: page_size: /),
    });
    expect((await codeOf(PROCEDURES.getHomes, { page: 0 })).message).toMatch(/page/);
    expect((await codeOf(PROCEDURES.getHomes, { region: 'limburg' })).message).toMatch(/region/);
    expect((await codeOf(PROCEDURES.getHomes, { sort_by: 'password' })).message).toMatch(/sort_by/);
    expect((await codeOf(PROCEDURES.getHomes, { sort_direction: 'sideways' })).message).toMatch(
      /sort_direction/,
    );
    expect((await codeOf(PROCEDURES.getHomes, { pagesize: 5 })).message).toMatch(/pagesize/);
  });

  it('search text is data: wildcards are literal and injection attempts return rows or nothing', async () => {
    const search = (q: string) =>
      call<{ homes: Array<{ home_id: string }>; total: number }>(PROCEDURES.getHomes, {
        search: q,
        page_size: 100,
      });
    expect((await search('mechelen')).total).toBe(15);
    // `%`, `_` and `'` are matched literally (15 homes live in "Sint-Niklaas_%'").
    expect((await search("_%'")).total).toBe(15);
    expect((await search('%')).total).toBe(15);
    for (const attack of [
      "' OR 1=1 --",
      "'; DROP TABLE home_states; --",
      '\\',
      "home-001' UNION SELECT * FROM pgmigrations --",
      ')) OR ((1=1',
    ]) {
      expect((await search(attack)).total).toBe(0);
      const s = await call<{ homes: unknown[] }>(PROCEDURES.searchHomes, { query: attack });
      expect(s.homes).toEqual([]);
    }
    expect(await pg.count(db, 'home_states')).toBe(30);
    const found = await call<{ homes: Array<{ home_id: string }> }>(PROCEDURES.searchHomes, {
      query: 'home-01',
      limit: 3,
    });
    expect(found.homes.map((h) => h.home_id)).toEqual(['home-010', 'home-011', 'home-012']);
    // The trigram index finds candidates over all fields joined; a match never spans two fields.
    expect((await search('home-001 Home')).total).toBe(0);
    expect((await search('Kerkstraat 1')).total).toBe(30);
    expect((await codeOf(PROCEDURES.searchHomes, { query: '' })).code).toBe('invalid_argument');
    expect((await codeOf(PROCEDURES.searchHomes, { query: 'x', limit: 1000 })).message).toMatch(/limit/);
  });

  it('the search uses the trigram index (its expression and the query are the same text)', async () => {
    const client = await db.pool.connect();
    try {
      // 30 rows would be a sequential scan anyway: forbid it to see whether the index can be used.
      await client.query('SET enable_seqscan = off');
      const plan = await client.query(
        `EXPLAIN SELECT home_id FROM home_states WHERE ${HOME_SEARCH_TEXT} ILIKE $1`,
        ['%Kerkst%'],
      );
      expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/home_states_search_idx/);
    } finally {
      await client.query('RESET enable_seqscan');
      client.release();
    }
  });

  it('locations and homes by location', async () => {
    const l = await call<{ locations: Array<{ city: string; region: string; homes: number }> }>(
      PROCEDURES.getLocations,
    );
    expect(l.locations).toHaveLength(6);
    expect(l.locations.find((x) => x.city === 'Mechelen' && x.region === 'brabant')?.homes).toBe(5);
    const m = await call<{ homes: unknown[] }>(PROCEDURES.getHomesByLocation, { location: 'MECHELEN' });
    expect(m.homes).toHaveLength(15);
    expect((await codeOf(PROCEDURES.getHomesByLocation, { location: 'Atlantis' })).code).toBe('not_found');
    expect((await codeOf(PROCEDURES.getHomesByLocation, {})).code).toBe('invalid_argument');
  });

  it('home history, trades and bills, counted back from the home’s latest simulated time', async () => {
    const hist = await call<{ points: Array<{ simulation_time: string; production_w: number }> }>(
      PROCEDURES.getHomeHistory,
      { home_id: 'home-003', hours: 24 },
    );
    expect(hist.points).toHaveLength(24);
    expect(hist.points[23].simulation_time).toBe(at(48));
    expect(hist.points[0].simulation_time).toBe(at(25));
    expect(hist.points[0].production_w).toBe(300);
    const trades = await call<{
      trades: Array<{ hours: number; grid_import_kwh: number }>;
      truncated: boolean;
    }>(PROCEDURES.getHomeTrades, {
      home_id: 'home-003',
      hours: 12,
    });
    expect(trades.trades).toHaveLength(12);
    expect(trades.truncated).toBe(false);
    expect(trades.trades[0]).toMatchObject({ hours: 1, grid_import_kwh: 1 });
    const bills = await call<{ bills: Array<{ month: string; total: number }> }>(PROCEDURES.getHomeBills, {
      home_id: 'home-003',
    });
    expect(bills.bills).toEqual([expect.objectContaining({ month: '2025-05', total: 83 })]);
    expect((await codeOf(PROCEDURES.getHomeHistory, { home_id: 'home-003', hours: 0 })).message).toMatch(
      /hours/,
    );
    expect((await codeOf(PROCEDURES.getHomeHistory, { home_id: 'home-003', hours: 1e6 })).message).toMatch(
      /hours/,
    );
    expect((await codeOf(PROCEDURES.getHomeHistory, { home_id: 'nope', hours: 2 })).code).toBe('not_found');
    // A window of more than 1,000 measurements comes back as bucket averages (48 h hourly: all).
    const year = await call<{ points: unknown[] }>(PROCEDURES.getHomeHistory, {
      home_id: 'home-003',
      hours: 8784,
    });
    expect(year.points).toHaveLength(48);
    expect((await codeOf(PROCEDURES.getHomeTrades, { home_id: 'nope', hours: 2 })).code).toBe('not_found');
    expect((await codeOf(PROCEDURES.getHomeBills, { home_id: 'nope' })).code).toBe('not_found');
  });

  it('market prices and providers', async () => {
    const prices = await call<{ prices: Array<{ hour: string; eur_per_kwh: number }> }>(
      PROCEDURES.getMarketPrices,
      {
        hours: 6,
      },
    );
    expect(prices.prices).toHaveLength(6);
    expect(prices.prices[5].hour).toBe(at(48));
    expect((await codeOf(PROCEDURES.getMarketPrices, { hours: -1 })).code).toBe('invalid_argument');
    const providers = await call<{
      providers: Array<{ provider_id: string; customers: number; market_share: number }>;
    }>(PROCEDURES.getProviders);
    expect(providers.providers.map((p) => p.provider_id)).toEqual(['p-eddie', 'p-owl']);
    expect(providers.providers[0]).toMatchObject({ customers: 30, market_share: 1 });
  });

  it('PostgreSQL away: unavailable, with no SQL in the message; back: answers again', async () => {
    await pg.halt();
    try {
      const e = await codeOf(PROCEDURES.getHomes, { search: "x' OR 1=1" });
      expect(e).toEqual({
        code: 'unavailable',
        message: 'get_homes: the read models are unavailable, try again',
      });
    } finally {
      await pg.resume();
    }
    const o = await call<{ total_homes: number }>(PROCEDURES.getOverview);
    expect(o.total_homes).toBe(30);
  });
});
