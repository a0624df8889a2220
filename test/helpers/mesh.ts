/**
 * Start real gateways on loopback in one process, in a given layout, for tests and benchmarks.
 * Links are dialed from the later gateway to the earlier one, so ports need not be known upfront.
 */
import pino from 'pino';
import { Gateway, gatewayConfig, type GatewayConfig, type TransportName } from '../../gateway';
import { connect, type GatewayClient } from '../../gateway/client';
import { devIdentity, type NodeIdentity } from '../../gateway/transport/identity';

export type Layout = 'full' | 'ring' | 'hub' | 'line' | Array<[number, number]>;

export function layoutEdges(n: number, layout: Layout): Array<[number, number]> {
  if (Array.isArray(layout)) return layout;
  const edges: Array<[number, number]> = [];
  if (layout === 'full') for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) edges.push([i, j]);
  if (layout === 'ring')
    for (let i = 0; i < n; i++)
      if (n > 1 && !(n === 2 && i === 1))
        edges.push([i, (i + 1) % n].sort((a, b) => a - b) as [number, number]);
  if (layout === 'hub') for (let i = 1; i < n; i++) edges.push([0, i]);
  if (layout === 'line') for (let i = 1; i < n; i++) edges.push([i - 1, i]);
  return edges;
}

export interface TestMesh {
  gateways: Gateway[];
  transport: TransportName;
  url(i: number): string;
  client(i: number, clientId?: string): Promise<GatewayClient>;
  /** Wait until every gateway sees `links` two-way links and every gateway in its database. */
  converged(links?: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export const REALM = 'test.realm';
const quiet = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

let identity: Promise<NodeIdentity> | undefined;

/** One development identity shared by test gateways: RSA key generation is the slow part of a start. */
export function sharedIdentity(): Promise<NodeIdentity> {
  return (identity ??= devIdentity({ commonName: 'cortexiq-test' }));
}

export async function startGateway(
  id: string,
  transport: TransportName,
  overrides: Partial<GatewayConfig> = {},
): Promise<Gateway> {
  const config = gatewayConfig({
    gatewayId: id,
    realm: REALM,
    transports: [transport],
    meshSecret: 'test-mesh-secret-0123456789',
    meshReplayMs: 30_000,
    ...overrides,
  });
  return Gateway.start(config, { logger: quiet.child({ gw: id }), identity: await sharedIdentity() });
}

export async function startMesh(
  n: number,
  layout: Layout,
  transport: TransportName,
  overrides: Partial<GatewayConfig> = {},
): Promise<TestMesh> {
  const edges = layoutEdges(n, layout);
  const gateways: Gateway[] = [];
  const clients: GatewayClient[] = [];
  for (let i = 0; i < n; i++) {
    const peers = edges.filter(([a, b]) => b === i && a < i).map(([a]) => gateways[a].urls()[transport]!);
    gateways.push(await startGateway(`gw${i}`, transport, { meshPeers: peers.map(parsePeer), ...overrides }));
  }
  const mesh: TestMesh = {
    gateways,
    transport,
    url: (i) => gateways[i].urls()[transport]!,
    async client(i, clientId) {
      const c = await connect({ url: mesh.url(i), realm: REALM, insecure: true, clientId });
      clients.push(c);
      return c;
    },
    async converged(links = edges.length, timeoutMs = 10_000) {
      await waitFor(
        () =>
          gateways.every(
            (g) =>
              g.mesh.lsdb.links().length === links &&
              gateways.every((o) => g.mesh.lsdb.reachable(o.gatewayId)),
          ),
        timeoutMs,
        'mesh convergence',
      );
    },
    async stop() {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await Promise.all(gateways.map((g) => g.stop()));
    },
  };
  return mesh;
}

function parsePeer(url: string) {
  const u = new URL(url);
  return {
    transport: (u.protocol === 'tls:' ? 'tls' : 'quic') as TransportName,
    host: u.hostname,
    port: Number(u.port),
    url,
  };
}

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Wait until every gateway has the given interest from the others (subscriptions propagated). */
export async function interestPropagated(
  mesh: TestMesh,
  topic: string,
  subscriberGateways: number[],
): Promise<void> {
  await waitFor(
    () =>
      mesh.gateways.every((g, i) =>
        subscriberGateways
          .filter((s) => s !== i)
          .every((s) => g.mesh.lsdb.interestedIn(topic).includes(mesh.gateways[s].gatewayId)),
      ),
    10_000,
    `interest in ${topic}`,
  );
}

/** Wait until every gateway knows some gateway serves `procedure`. */
export async function procedurePropagated(mesh: TestMesh, procedure: string): Promise<void> {
  await waitFor(
    () => mesh.gateways.every((g) => g.rpc.registrations.has(procedure) || g.mesh.hasRemote(procedure)),
    10_000,
    `procedure ${procedure}`,
  );
}

/**
 * A client of `gw` over TLS under `clientId`, without reconnecting (a test sees each session it
 * opens), added to `keep` so the test can close it.
 */
export async function tlsClientOf(
  gw: Gateway,
  clientId: string,
  keep: GatewayClient[],
): Promise<GatewayClient> {
  const c = await connect({ url: gw.urls().tls!, realm: REALM, insecure: true, clientId, reconnect: false });
  keep.push(c);
  return c;
}
