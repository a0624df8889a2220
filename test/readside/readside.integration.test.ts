/**
 * The read side on real gateways (issue 11): a hub gateway with the simulation, projections and
 * queries, an edge gateway with the Antwerp homes and providers, every app a real process started
 * with `cortexiq app <name>` and its env. What the homes publish must show in `get_overview` and
 * `get_region_summary`, asked over the mesh from the edge.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { GatewayClient } from '../../gateway/client';
import { PROCEDURES, TOPICS, overviewSchema, regionSummarySchema } from '../../apps/shared/contract';
import { REALM, procedurePropagated, startMesh, waitFor, type TestMesh } from '../helpers/mesh';
import { startTestPostgres, type TestDatabase, type TestPostgres } from '../helpers/pg';

jest.setTimeout(180_000);

const HUB = 0;
const EDGE = 1;
const CLI = path.join(__dirname, '..', '..', 'bin', 'cortexiq.js');
const HOMES = 50; // apps/homes/data/antwerp.json

let pg: TestPostgres;
let db: TestDatabase;
let mesh: TestMesh;
const children: ChildProcess[] = [];

function app(name: string, gateway: number, env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, [CLI, 'app', name], {
    env: {
      PATH: process.env.PATH,
      MACULA_URL: mesh.url(gateway),
      MACULA_REALM: REALM,
      MACULA_TLS_INSECURE: '1',
      LOG_LEVEL: 'warn',
      HEALTH_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(child);
  return child;
}

async function stopAll(): Promise<void> {
  await Promise.all(
    children.splice(0).map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
          setTimeout(() => c.kill('SIGKILL'), 10_000).unref();
        }),
    ),
  );
}

beforeAll(async () => {
  [pg, mesh] = await Promise.all([startTestPostgres(), startMesh(2, 'line', 'tls')]);
  await mesh.converged(1);
  db = await pg.database({ migrated: false }); // the apps migrate it
}, 120_000);
afterAll(async () => {
  await stopAll();
  await mesh?.stop();
  await pg?.stop();
});

it('homes and providers at the edge, read side at the hub: overview and region summary reflect what was published', async () => {
  const observer: GatewayClient = await mesh.client(EDGE, 'observer');
  const latest = new Map<string, { production_w: number; consumption_w: number; at: string }>();
  let switches = 0;
  await observer.subscribe<{
    home_id: string;
    production_w: number;
    consumption_w: number;
    simulation_time: string;
  }>(TOPICS.homeMeasured, (m) => {
    const held = latest.get(m.home_id);
    if (!held || held.at <= m.simulation_time) latest.set(m.home_id, { ...m, at: m.simulation_time });
  });
  await observer.subscribe(TOPICS.contractSwitched, () => void switches++);

  app('projections', HUB, { DATABASE_URL: db.url });
  app('queries', HUB, { DATABASE_URL: db.url });
  await procedurePropagated(mesh, PROCEDURES.getOverview);
  app('utilities', EDGE, { REGION: 'antwerp' });
  app('homes', EDGE, { REGION: 'antwerp' });
  app('simulation', HUB, { TICK_MS: '250', SIMULATION_SPEED: '200000' });
  await procedurePropagated(mesh, PROCEDURES.pause);

  await waitFor(() => latest.size === HOMES, 60_000, 'every home measured');
  // Let a few simulated weeks run, then stop the clock and let the read side settle.
  await new Promise((r) => setTimeout(r, 4000));
  await observer.call(PROCEDURES.pause);
  await new Promise((r) => setTimeout(r, 1500));

  const deadline = Date.now() + 20_000;
  let overview = overviewSchema.parse(await observer.call(PROCEDURES.getOverview));
  const expected = () => [...latest.values()].reduce((s, m) => s + m.production_w, 0);
  while (Date.now() < deadline && Math.abs(overview.production_w - expected()) > 1e-6) {
    await new Promise((r) => setTimeout(r, 250));
    overview = overviewSchema.parse(await observer.call(PROCEDURES.getOverview));
  }
  expect(overview.total_homes).toBe(HOMES);
  expect(overview.connected_homes).toBe(HOMES);
  expect(overview.production_w).toBeCloseTo(expected(), 6);
  expect(overview.consumption_w).toBeCloseTo(
    [...latest.values()].reduce((s, m) => s + m.consumption_w, 0),
    6,
  );
  expect(overview.paused).toBe(true);
  expect(overview.contract_switches).toBe(switches);
  expect(overview.energy_bought_kwh).toBeGreaterThan(0);
  expect(overview.cost_eur).toBeGreaterThan(0);
  expect(overview.day_ahead_eur_per_kwh).not.toBeNull();

  const summary = regionSummarySchema.parse(await observer.call(PROCEDURES.getRegionSummary));
  const antwerp = summary.regions.find((r) => r.region === 'antwerp')!;
  expect(antwerp).toMatchObject({ total_homes: HOMES, connected_homes: HOMES, contract_switches: switches });
  expect(antwerp.production_w).toBeCloseTo(overview.production_w, 6);
  expect(summary.regions.find((r) => r.region === 'brabant')).toMatchObject({ total_homes: 0 });
  expect(await pg.count(db, 'energy_events')).toBeGreaterThanOrEqual(HOMES);
});
