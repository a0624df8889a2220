/**
 * `cortexiq up` end to end (docs/local-run.md): the whole dev stack as fifteen local processes on a
 * random loopback range with a fresh data folder (a real embedded PostgreSQL), checked from outside
 * as a user would: the gateways' admin APIs, the dashboard's JSON API, a test subscriber on the
 * mesh, and one look at the overview page in Chromium. SIGINT then stops everything, the database
 * last, leaving no process and no server lock behind.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { connect, type GatewayClient } from '../../gateway/client';
import { TOPICS } from '../../apps/shared/contract';
import { launchChromium } from '../dashboard/browser';
import { isRunning, parsePids, randomBasePort, startUp, type UpRun } from './cli-run';

const REALM = 'be.cortexiq.energy';
const REGIONS = ['antwerp', 'brabant', 'east-flanders'];
const HOMES_PER_REGION = 50;

/** Polls `cond` (errors count as not yet) every 250 ms until it holds; fails naming `what`. */
async function waitFor(cond: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      if (await cond()) return;
    } catch (err) {
      last = ` (last error: ${(err as Error).message})`;
    }
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function json<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

// The function given to page.waitForFunction runs in the page; the project compiles without the DOM.
declare const document: { querySelector(selector: string): { textContent: string | null } | null };

interface RegionRow {
  region: string;
  total_homes: number;
  connected_homes: number;
  consumption_w: number;
}

describe('cortexiq up: the whole dev stack, end to end', () => {
  const base = randomBasePort();
  const dashboardPort = base + 100;
  const dashboard = `http://127.0.0.1:${dashboardPort}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cortexiq-up-'));
  let up: UpRun;
  let pids = new Map<string, number>();
  const clients: GatewayClient[] = [];
  // What a test subscriber at the hub sees, by topic.
  const offersByRegion = new Map<string, Set<string>>();
  const providerRegion = new Map<string, string>();
  const switches: { region: string; new_provider_id: string }[] = [];
  const measuredHomes = new Set<string>();
  // What a test subscriber on an edge (Antwerp) hears of other regions' offers.
  const offersAtAntwerp = new Set<string>();

  beforeAll(async () => {
    // The run's folder is a fresh temporary one; as root the embedded server runs as `postgres`.
    if (process.getuid?.() === 0) rmSync(dataDir, { recursive: true, force: true });
    up = startUp(
      ['--base-port', String(base), '--dashboard-port', String(dashboardPort), '--data-dir', dataDir],
      undefined,
      undefined,
      { processGroup: true },
    );
    await up.waitForLine(/CortexIQ mesh is up: 15 processes ready in [\d.]+ s/, 150_000);
    await up.waitForLine(/^ {2}local only:/, 5_000); // the end of the summary: pids are printed
    pids = parsePids(up.output());

    const hub = await connect({
      url: `https://127.0.0.1:${base}`,
      realm: REALM,
      insecure: true,
      clientId: 'e2e-hub',
    });
    const antwerp = await connect({
      url: `https://127.0.0.1:${base + 1}`,
      realm: REALM,
      insecure: true,
      clientId: 'e2e-antwerp',
    });
    clients.push(hub, antwerp);
    await hub.subscribe(TOPICS.contractProposed, (p) => {
      const o = p as { region: string; provider_id: string; offer_id: string };
      providerRegion.set(o.provider_id, o.region);
      if (!offersByRegion.has(o.region)) offersByRegion.set(o.region, new Set());
      offersByRegion.get(o.region)!.add(o.offer_id);
    });
    await hub.subscribe(TOPICS.contractSwitched, (p) => {
      switches.push(p as (typeof switches)[number]);
    });
    await hub.subscribe(TOPICS.homeMeasured, (p) => {
      measuredHomes.add((p as { home_id: string }).home_id);
    });
    await antwerp.subscribe(TOPICS.contractProposed, (p) => {
      const o = p as { region: string };
      if (o.region !== 'antwerp') offersAtAntwerp.add(o.region);
    });
  }, 180_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    if (up && up.proc.exitCode === null) up.proc.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the dashboard URL first, then the whole topology with the embedded database', () => {
    const out = up.output();
    const summary = out.slice(out.indexOf('Dashboard: '));
    expect(summary.split('\n')[0]).toBe(`Dashboard: ${dashboard}/`);
    expect([...pids.keys()].sort()).toEqual(
      [
        ...['gateway', 'postgres', 'simulation', 'projections', 'queries', 'dashboard'].map(
          (p) => `macula-hub/${p}`,
        ),
        ...['be-antwerp', 'be-brabant', 'be-east-flanders'].flatMap((c) =>
          ['gateway', 'homes', 'utilities'].map((p) => `${c}/${p}`),
        ),
      ].sort(),
    );
    expect(out).toMatch(
      new RegExp(`database: embedded PostgreSQL on 127\\.0\\.0\\.1:\\d+, data in ${dataDir}/pg`),
    );
    expect(out).not.toMatch(/left out of this run/);
  });

  it('forms the full mesh: four gateways, six links, each up at both ends', async () => {
    // Gateways take base..base+3 and their admin APIs base+4..base+7 (launcher/ports.ts).
    for (let i = 0; i < 4; i++) {
      const admin = `http://127.0.0.1:${base + 4 + i}`;
      const topology = await json<{ links: unknown[]; nodes: unknown[] }>(`${admin}/api/topology`);
      expect(topology.links).toHaveLength(6);
      expect(topology.nodes).toHaveLength(4);
      const peers = await json<{ peers: { state: string }[] }>(`${admin}/api/peers`);
      expect(peers.peers.filter((p) => p.state === 'up')).toHaveLength(3);
    }
    const mesh = await json<{ gateways: { id: string; links: { peer: string; up: boolean }[] }[] }>(
      `${dashboard}/api/mesh`,
    );
    expect(mesh.gateways.map((g) => g.id).sort()).toEqual(
      ['be-antwerp', 'be-brabant', 'be-east-flanders', 'macula-hub'].sort(),
    );
    for (const g of mesh.gateways) expect(g.links.filter((l) => l.up)).toHaveLength(3);
  }, 30_000);

  it('homes of all three regions are connected and measured at the hub, as the dashboard shows', async () => {
    await waitFor(
      async () => {
        const { regions } = await json<{ regions: RegionRow[] }>(`${dashboard}/api/regions`);
        return REGIONS.every((r) => {
          const row = regions.find((x) => x.region === r);
          return row !== undefined && row.connected_homes === HOMES_PER_REGION && row.consumption_w > 0;
        });
      },
      60_000,
      'every region with its 50 homes connected and consuming in /api/regions',
    );
    // get_overview agrees with a count taken by a subscriber of the homes' own measurements.
    await waitFor(
      async () => measuredHomes.size === 3 * HOMES_PER_REGION,
      30_000,
      'measurements of all 150 homes',
    );
    const overview = await json<{
      total_homes: number;
      connected_homes: number;
      simulation_time: string | null;
    }>(`${dashboard}/api/overview`);
    expect(overview.total_homes).toBe(measuredHomes.size);
    expect(overview.connected_homes).toBe(measuredHomes.size);
    expect(overview.simulation_time).not.toBeNull();
  }, 120_000);

  it('offers of every region reach the others, and a home signs with a provider of another region', async () => {
    await waitFor(async () => offersByRegion.size === 3, 30_000, 'offers of all three regions at the hub');
    await waitFor(
      async () => offersAtAntwerp.size === 2,
      30_000,
      'offers of Brabant and East Flanders at Antwerp',
    );
    await waitFor(
      async () =>
        switches.some(
          (s) => providerRegion.has(s.new_provider_id) && providerRegion.get(s.new_provider_id) !== s.region,
        ),
      60_000,
      'a contract with a provider of another region',
    );
    // The projections counted the switches too.
    await waitFor(
      async () =>
        (await json<{ contract_switches: number }>(`${dashboard}/api/overview`)).contract_switches > 0,
      30_000,
      'contract switches in get_overview',
    );
  }, 180_000);

  it('shows the overview page with live figures in a real browser', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      await page.goto(`${dashboard}/`);
      await page.waitForFunction(
        () =>
          Number(
            (document.querySelector('[data-card="connected_homes"] .value')?.textContent ?? '').replace(
              /\D/g,
              '',
            ),
          ) === 150,
        undefined,
        { timeout: 30_000 },
      );
      expect(await page.locator('#sim-state').textContent()).toBe('running');
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('restarts an app that crashes, says so, and the dashboard answers again', async () => {
    const queries = pids.get('macula-hub/queries')!;
    process.kill(queries, 'SIGKILL');
    await up.waitForLine(
      /macula-hub\/queries was killed by SIGKILL; restarting it in [\d.]+ s \(restart 1\)/,
      10_000,
    );
    await up.waitForLine(/macula-hub\/queries is back \(pid \d+\)/, 60_000);
    await waitFor(
      async () => (await json<{ total_homes: number }>(`${dashboard}/api/overview`)).total_homes === 150,
      30_000,
      'get_overview through the restarted queries app',
    );
    const back = /macula-hub\/queries is back \(pid (\d+)\)/.exec(up.output())!;
    pids.set('macula-hub/queries', Number(back[1]));
  }, 90_000);

  it('Ctrl-C stops everything, the database last, and leaves nothing behind', async () => {
    // The test's own clients go first, so none is left retrying a gateway that is gone.
    await Promise.all(clients.splice(0).map((c) => c.close()));
    // To the whole process group, as a terminal does: every process that shares the launcher's
    // group gets it at the same moment, and the stop must still go in order and in time.
    up.interrupt();
    const exit = await up.exit;
    const out = up.output();
    expect({ exit, tail: out.slice(-2000) }).toMatchObject({ exit: { code: 0, signal: null } });
    expect(out).toMatch(/stopped 15 processes in [\d.]+ s$/m);
    expect(out).not.toMatch(/killed after the grace period/);
    expect([...pids].filter(([, pid]) => isRunning(pid))).toEqual([]);
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  }, 60_000);
});
