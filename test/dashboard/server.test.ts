/**
 * The dashboard's server in-process (`inject`, no port) on four real gateways, with the real clock
 * and the stand-in read side: the JSON API of docs/dashboard.md, the 4xx errors for
 * bad input, the controls with their CSRF protection, the live view model fed by events published at
 * an edge, the Mesh view from the gateways' admin APIs, and the gateway or the queries going away
 * and coming back without the server failing.
 */
import { waitFor } from '../helpers/mesh';
import { overviewSchema, regionSummarySchema } from '../../apps/shared/contract';
import { RIG_START, startRig, type Rig } from './rig';

jest.setTimeout(60_000);

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
}, 60_000);
afterAll(async () => {
  await rig?.stop();
});

const get = (url: string) => rig.dashboard.server.inject({ method: 'GET', url });
async function token(): Promise<string> {
  return (await get('/api/csrf')).json().token as string;
}
async function post(url: string, body?: unknown, headers: Record<string, string> = {}) {
  return rig.dashboard.server.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', 'x-csrf-token': await token(), ...headers },
    payload: body === undefined ? '{}' : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('JSON API', () => {
  it('GET /api/overview and /api/regions answer the contract shapes from the queries', async () => {
    const o = await get('/api/overview');
    expect(o.statusCode).toBe(200);
    expect(overviewSchema.parse(o.json())).toMatchObject({
      total_homes: 150,
      connected_homes: 135,
      contract_switches: 7,
    });
    const r = await get('/api/regions');
    expect(regionSummarySchema.parse(r.json()).regions.map((x) => [x.region, x.total_homes])).toEqual([
      ['antwerp', 50],
      ['brabant', 50],
      ['east-flanders', 50],
    ]);
  });

  it('GET /api/homes pages, filters by region and searches', async () => {
    const page2 = (await get('/api/homes?page=2&region=brabant')).json();
    expect(page2).toMatchObject({ page: 2, page_size: 20, total: 50, total_pages: 3 });
    expect(page2.homes.every((h: { region: string }) => h.region === 'brabant')).toBe(true);
    const found = (await get('/api/search?q=Vermeulen')).json();
    expect(found.homes.length).toBeGreaterThan(0);
    expect(found.homes.every((h: { name: string }) => h.name.includes('Vermeulen'))).toBe(true);
  });

  it('GET /api/homes/:id gives the home with its history, trades and bills', async () => {
    const d = (await get('/api/homes/ant-0001?hours=24')).json();
    expect(d.home).toMatchObject({ home_id: 'ant-0001', city: 'Mol', region: 'antwerp' });
    expect(d.history).toHaveLength(96);
    expect(d.trades).toHaveLength(3);
    // The last whole month before the rig's clock (RIG_START, mid-April 2025)
    expect(d.bills[0]).toMatchObject({ month: '2025-03' });
  });

  it('bad input is a 4xx with a JSON error naming the problem', async () => {
    const cases: Array<[string, number, RegExp]> = [
      ['/api/homes/no-such-home', 404, /no home 'no-such-home'/],
      ['/api/homes?page=0', 400, /page/],
      ['/api/homes?page=abc', 400, /page: expected a whole number/],
      ['/api/homes?page_size=500', 400, /page_size/],
      ['/api/homes?region=mars', 400, /region: expected one of antwerp, brabant, east-flanders/],
      ['/api/homes?colour=blue', 400, /unknown query parameter colour/],
      ['/api/homes/ant-0001?hours=-3', 400, /hours: expected a whole number/],
      ['/api/locations/Atlantis', 404, /no homes in 'Atlantis'/],
      ['/api/nothing-here', 404, /no route GET \/api\/nothing-here/],
    ];
    for (const [url, status, message] of cases) {
      const r = await get(url);
      expect([url, r.statusCode]).toEqual([url, status]);
      expect(r.headers['content-type']).toMatch(/application\/json/);
      expect(r.json().message).toMatch(message);
      expect(typeof r.json().error).toBe('string');
    }
  });

  it('GET /api/mesh shows the four gateways with their roles, regions and links up', async () => {
    await waitFor(
      () => rig.dashboard.mesh.view.gateways.every((g) => g.links.length === 3 && g.links.every((l) => l.up)),
      10_000,
      'links',
    );
    const m = (await get('/api/mesh')).json();
    expect(
      m.gateways.map((g: { id: string; role: string; region: string | null }) => [g.id, g.role, g.region]),
    ).toEqual([
      ['macula-hub', 'hub', null],
      ['be-antwerp', 'edge', 'antwerp'],
      ['be-brabant', 'edge', 'brabant'],
      ['be-east-flanders', 'edge', 'east-flanders'],
    ]);
    const hub = m.gateways[0];
    expect(hub.links.map((l: { peer: string }) => l.peer).sort()).toEqual([
      'be-antwerp',
      'be-brabant',
      'be-east-flanders',
    ]);
    expect(hub.links.every((l: { rtt_ms: number | null }) => l.rtt_ms === null || l.rtt_ms >= 0)).toBe(true);
    expect(hub.clients).toBeGreaterThanOrEqual(3); // simulation, queries, dashboard
    expect(hub.procedures).toEqual(
      expect.arrayContaining(['be.cortexiq.simulation.pause', 'be.cortexiq.energy.queries.get_overview']),
    );
  });

  it('serves the page with a CSRF token and the bundle gzipped', async () => {
    const page = await get('/homes');
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<meta name="csrf-token" content="[\w-]+\.\d+\.[\w-]+">/);
    const js = await rig.dashboard.server.inject({
      method: 'GET',
      url: '/assets/app.js',
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(js.headers['content-encoding']).toBe('gzip');
    expect(js.rawPayload.length).toBeLessThan(80_000);
  });
});

describe('controls', () => {
  it('pause, speed and resume call the clock and answer its state', async () => {
    const paused = await post('/api/simulation/pause');
    expect(paused.statusCode).toBe(200);
    expect(paused.json()).toMatchObject({ success: true, paused: true });
    expect(rig.simulation.clock.paused).toBe(true);
    expect(rig.dashboard.state.clock.paused).toBe(true);
    const fast = await post('/api/simulation/speed', { speed: 10000 });
    expect(fast.json()).toMatchObject({ success: true, speed: 10000 });
    expect(rig.simulation.clock.speed).toBe(10000);
    expect((await post('/api/simulation/resume')).json()).toMatchObject({ paused: false });
    const status = (await get('/api/simulation')).json();
    expect(status).toMatchObject({ paused: false, speed: 10000 });
  });

  it('reset returns the clock to its start and clears the live charts', async () => {
    await rig.publishTotals({ connected_homes: 99 });
    await waitFor(() => rig.dashboard.state.history.length > 0, 5000, 'a history point');
    const reset = await post('/api/simulation/reset');
    expect(reset.statusCode).toBe(200);
    expect(reset.json()).toMatchObject({ success: true, tick: 0, start_date: RIG_START });
    // The clock runs on at 10,000× while the answer travels: within a simulated hour of the start.
    expect(Date.parse(reset.json().simulation_time) - Date.parse(RIG_START)).toBeLessThan(3_600_000);
    await waitFor(() => rig.dashboard.state.history.length === 0, 5000, 'the reset event');
    expect(rig.dashboard.state.overview.connected_homes).toBe(0);
  });

  it('refuses malformed control requests and requests without a good CSRF token', async () => {
    const cases: Array<[Promise<{ statusCode: number; json(): { message: string } }>, number, RegExp]> = [
      [post('/api/simulation/speed', { speed: 'fast' }), 400, /speed must be a number/],
      [post('/api/simulation/speed', { speed: 0 }), 400, /speed must be at least 1/],
      [post('/api/simulation/speed', { speed: 2.5 }), 400, /speed must be an integer/],
      [post('/api/simulation/speed', '{"speed":'), 400, /JSON/],
      [post('/api/simulation/pause', { now: true }), 400, /pause: .*now/],
      [post('/api/simulation/pause', {}, { 'x-csrf-token': 'forged.1.abc' }), 403, /invalid x-csrf-token/],
      [post('/api/simulation/pause', {}, { 'x-csrf-token': '' }), 403, /missing x-csrf-token/],
      [
        post('/api/simulation/pause', {}, { origin: 'https://evil.example' }),
        403,
        /cross-site request refused/,
      ],
      [post('/api/simulation/rewind'), 404, /no route POST/],
    ];
    for (const [req, status, message] of cases) {
      const r = await req;
      expect(r.statusCode).toBe(status);
      expect(r.json().message).toMatch(message);
    }
    expect(rig.simulation.clock.paused).toBe(false);
  });
});

describe('live view model', () => {
  it('follows the clock and the aggregates published at an edge', async () => {
    await rig.publishTotals({ connected_homes: 4242, production_w: 123_456 });
    await waitFor(
      () => rig.dashboard.state.overview.connected_homes === 4242,
      5000,
      'totals at the dashboard',
    );
    expect(rig.dashboard.state.overview.production_w).toBe(123_456);
    const before = rig.dashboard.state.clock.tick ?? -1;
    await waitFor(() => (rig.dashboard.state.clock.tick ?? -1) > before, 5000, 'a tick');
    const c = rig.dashboard.state.clock;
    expect(c.weather.map((w) => w.region).sort()).toEqual(['antwerp', 'brabant', 'east-flanders']);
    expect(c.weather.every((w) => w.date === c.simulation_time!.slice(0, 10))).toBe(true);
    expect(c.day_ahead_eur_per_kwh).not.toBeNull();
    expect(rig.dashboard.state.prices.length).toBeGreaterThan(0);
    expect(rig.dashboard.feed.malformed.total).toBe(0);
  });

  it('counts a malformed aggregate and keeps going', async () => {
    await rig.publisher.publish('be.cortexiq.projections.totals_calculated', { connected_homes: 'many' });
    await waitFor(() => rig.dashboard.feed.malformed.total === 1, 5000, 'the malformed event');
    expect((await get('/api/status')).json()).toMatchObject({ gateway: 'connected', malformed_events: 1 });
  });
});

describe('outages', () => {
  it('the queries going away is a 503 and a status the pages show; it clears when they are back', async () => {
    await rig.readSide.stop();
    const r = await get('/api/overview');
    expect(r.statusCode).toBe(503);
    expect(r.json()).toEqual({
      error: 'unavailable',
      message: expect.stringMatching(/get_overview: .*not running/),
    });
    await waitFor(() => rig.dashboard.feed.queriesState === 'down', 5000, 'queries down');
    await rig.readSide.start();
    await waitFor(() => rig.dashboard.feed.queriesState === 'ok', 10_000, 'queries back');
    expect((await get('/api/overview')).statusCode).toBe(200);
  });

  it('the hub gateway going away: 503 at once, the server keeps serving, and it recovers by itself', async () => {
    await rig.stopHub();
    await waitFor(() => rig.dashboard.link.state === 'reconnecting', 10_000, 'reconnecting');
    const started = Date.now();
    const r = await get('/api/homes');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(r.statusCode).toBe(503);
    expect(r.json().message).toMatch(/reconnecting/);
    expect((await get('/api/status')).json()).toMatchObject({ gateway: 'reconnecting' });
    expect((await get('/')).statusCode).toBe(200);
    await waitFor(
      () => rig.dashboard.mesh.view.gateways[0]?.reachable === false,
      5000,
      'hub unreachable on the mesh view',
    );
    await rig.restartHub();
    await waitFor(() => rig.dashboard.link.state === 'connected', 20_000, 'connected again');
    await waitFor(() => rig.dashboard.feed.queriesState === 'ok', 20_000, 'queries through the new hub');
    expect((await get('/api/homes')).statusCode).toBe(200);
  });
});
