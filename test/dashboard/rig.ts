/**
 * A dashboard fed by real gateways, for the server, browser and bench runs: four gateways on
 * loopback named as the stacks name them (macula-hub and the three regions, a full mesh over TLS),
 * the hub↔Antwerp link through a cutter (test/helpers/link-cutter.ts), the real simulation clock on
 * the hub, the stand-in read side on the hub, a test publisher on an edge, and the dashboard
 * connected to the hub as a client.
 */
import pino from 'pino';
import type { Gateway } from '../../gateway';
import { connect, type GatewayClient } from '../../gateway/client';
import { createDashboard, type Dashboard } from '../../apps/dashboard/app';
import { bundleDir, ensureBundle } from '../../apps/dashboard/bundle';
import { createSimulationApp, type SimulationApp } from '../../apps/simulation/app';
import { envelope } from '../../apps/shared/events';
import { TOPICS, type PayloadOf } from '../../apps/shared/contract';
import { tcpCutter, type LinkCutter } from '../helpers/link-cutter';
import { REALM, startGateway, waitFor } from '../helpers/mesh';
import { startAggregates } from './aggregates';
import { FakeReadSide } from './fake-read-side';

/**
 * Where the rig's clock starts: a spring morning, so that at the tests' speeds the screenshots are
 * taken in daylight (the figures follow the clock either way: fixture-sun.ts).
 */
export const RIG_START = '2025-04-15T05:00:00.000Z';

export const GATEWAY_IDS = ['macula-hub', 'be-antwerp', 'be-brabant', 'be-east-flanders'] as const;
const quiet = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export interface Rig {
  gateways: Gateway[];
  cutter: LinkCutter;
  dashboard: Dashboard;
  simulation: SimulationApp;
  readSide: FakeReadSide;
  /** A client on be-brabant that publishes like the projections would. */
  publisher: GatewayClient;
  hubPort: number;
  /** Starts the stand-in projections' aggregates (aggregates.ts). */
  startAggregates(periodMs?: number): void;
  /** Listening URL, after `listen()`. */
  url?: string;
  listen(): Promise<string>;
  publishTotals(patch?: Partial<PayloadOf<typeof TOPICS.totalsCalculated>>): Promise<void>;
  /** Stops the hub gateway (everything on it loses its connection). */
  stopHub(): Promise<void>;
  /** Starts the hub again on the same port. */
  restartHub(): Promise<void>;
  stop(): Promise<void>;
}

const peer = (port: number) => ({
  transport: 'tls' as const,
  host: '127.0.0.1',
  port,
  url: `tls://127.0.0.1:${port}`,
});

export async function startRig(options: { meshPollMs?: number; queryPollMs?: number } = {}): Promise<Rig> {
  await ensureBundle();
  const clients: GatewayClient[] = [];
  const hub = await startGateway(GATEWAY_IDS[0], 'tls');
  const hubPort = hub.listeners.get('tls')!.port;
  const hubAdminPort = hub.admin!.port;
  const cutter = await tcpCutter(hubPort);
  const gateways: Gateway[] = [hub];
  // Each edge dials the hub and the edges before it: a full mesh. Antwerp reaches the hub through the cutter.
  for (let i = 1; i < GATEWAY_IDS.length; i++) {
    const peers = [
      peer(i === 1 ? cutter.port : hubPort),
      ...gateways.slice(1).map((g) => peer(g.listeners.get('tls')!.port)),
    ];
    gateways.push(await startGateway(GATEWAY_IDS[i], 'tls', { meshPeers: peers }));
  }
  await waitFor(() => gateways.every((g) => g.mesh.lsdb.links().length === 6), 15_000, 'a full mesh of four');

  const client = async (gw: Gateway, id: string) => {
    const c = await connect({ url: gw.urls().tls!, realm: REALM, insecure: true, clientId: id });
    clients.push(c);
    return c;
  };
  const simulation = createSimulationApp(
    { speed: 3600, startMs: Date.parse(RIG_START), tickMs: 500, log: quiet },
    await client(hub, 'simulation'),
  );
  await simulation.start();
  const readSide = new FakeReadSide(await client(hub, 'queries'), () => simulation.clock.simMs());
  await readSide.start();
  const publisher = await client(gateways[2], 'projections-stand-in');

  const hubUrl = hub.urls().tls!;
  let aggregates: { stop(): void } | undefined;
  const dashboard = createDashboard({
    config: {
      publicHost: 'localhost',
      secretKeyBase: 'test-secret-key-base-0123456789-abcdefghij',
      adminUrls: gateways.map((g) => g.admin!.url),
      meshPollMs: options.meshPollMs ?? 500,
      queryTimeoutMs: 3000,
    },
    log: quiet,
    connect: () =>
      connect({ url: hubUrl, realm: REALM, insecure: true, clientId: 'dashboard', connectTimeoutMs: 2000 }),
    assetsDir: bundleDir(),
    queryPollMs: options.queryPollMs ?? 1000,
  });
  dashboard.start();
  await dashboard.link.whenConnected();
  // The stand-in publisher's events reach the hub once the hub's interest has crossed the mesh.
  await waitFor(
    () => gateways[2].mesh.lsdb.interestedIn(TOPICS.totalsCalculated).includes(hub.gatewayId),
    10_000,
    'interest',
  );

  const rig: Rig = {
    gateways,
    cutter,
    dashboard,
    simulation,
    readSide,
    publisher,
    hubPort,
    startAggregates(periodMs) {
      aggregates ??= startAggregates(publisher, readSide, () => simulation.clock.simMs(), periodMs);
    },
    async listen() {
      await dashboard.server.listen({ port: 0, host: '127.0.0.1' });
      rig.url = `http://127.0.0.1:${(dashboard.server.server.address() as { port: number }).port}`;
      return rig.url;
    },
    async publishTotals(patch = {}) {
      const o = readSide.overview();
      const payload: PayloadOf<typeof TOPICS.totalsCalculated> = {
        total_homes: o.total_homes,
        connected_homes: o.connected_homes,
        production_w: o.production_w,
        consumption_w: o.consumption_w,
        avg_battery_pct: o.avg_battery_pct,
        energy_bought_kwh: o.energy_bought_kwh,
        energy_sold_kwh: o.energy_sold_kwh,
        cost_eur: o.cost_eur,
        revenue_eur: o.revenue_eur,
        net_balance_eur: o.net_balance_eur,
        contract_switches: o.contract_switches,
        customer_savings_eur: o.customer_savings_eur,
        commission_eur: o.commission_eur,
        ...patch,
      };
      await publisher.publish(TOPICS.totalsCalculated, envelope(simulation.clock.simMs(), payload));
    },
    async stopHub() {
      await gateways[0].stop();
    },
    async restartHub() {
      gateways[0] = await startGateway(GATEWAY_IDS[0], 'tls', { port: hubPort, adminPort: hubAdminPort });
    },
    async stop() {
      aggregates?.stop();
      await dashboard.stop();
      await simulation.stop();
      await readSide.stop();
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await Promise.all(gateways.map((g) => g.stop().catch(() => undefined)));
      await cutter.close();
    },
  };
  return rig;
}
