/**
 * Admin HTTP (docs/protocol.md §5): probes, Prometheus metrics and the JSON views of peers, topology,
 * subscriptions and registrations, on a line of three real gateways; readiness waits for the
 * configured peers to be tried; ADMIN_TOKEN guards the API but never the probes.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Gateway } from '../../gateway';
import type { GatewayClient } from '../../gateway/client';
import * as path from 'node:path';
import { loadStackFile, meshDashboard } from '../../stacks';
import { startGateway, startMesh, waitFor, type TestMesh } from '../helpers/mesh';

jest.setTimeout(30_000);

// The views are plain JSON whose shape the assertions below check field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function get(
  gw: Gateway,
  path: string,
  token?: string,
): Promise<{ status: number; body: string; json: () => Json }> {
  const res = await fetch(`${gw.admin!.url}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const body = await res.text();
  return { status: res.status, body, json: () => JSON.parse(body) };
}

/** A sample line of the Prometheus text for `name` with these labels (any order, others allowed). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('admin HTTP on a line of three gateways (tls)', () => {
  let mesh: TestMesh;
  let sub: GatewayClient;

  beforeAll(async () => {
    mesh = await startMesh(3, 'line', 'tls');
    await mesh.converged(2);
    sub = await mesh.client(1, 'admin-sub');
    await sub.subscribe('test.admin.>', () => undefined);
    await sub.subscribe('test.admin.kept', () => undefined, { durable: 'admin-durable' });
    const callee = await mesh.client(2, 'admin-callee');
    await callee.register('test.admin.proc', () => 'ok');
    const pub = await mesh.client(0, 'admin-pub');
    for (let i = 0; i < 5; i++) await pub.publish('test.admin.x', i, { ack: true });
    await waitFor(() => mesh.gateways[0].mesh.hasRemote('test.admin.proc'), 10_000, 'procedure at gw0');
  });
  afterAll(() => mesh?.stop());

  it('answers /health, /live and /ready', async () => {
    const health = await get(mesh.gateways[1], '/health');
    expect(health.status).toBe(200);
    expect(health.json()).toEqual(
      expect.objectContaining({ status: 'ok', gateway_id: 'gw1', realm: 'test.realm' }),
    );
    expect((await get(mesh.gateways[1], '/live')).status).toBe(200);
    await waitFor(() => mesh.gateways.every((g) => g.ready), 10_000, 'ready');
    for (const g of mesh.gateways) expect((await get(g, '/ready')).status).toBe(200);
  });

  it('exposes the Prometheus series: clients, messages by kind, per-peer link state and more', async () => {
    // Link RTT is measured by the link pings (every 500 ms): wait for the first answer.
    await waitFor(
      () => [...mesh.gateways[1].mesh.links.values()].every((l) => l.rttMs !== undefined),
      5000,
      'first link RTT',
    );
    const { status, body } = await get(mesh.gateways[1], '/metrics');
    expect(status).toBe(200);
    expect(sample(body, 'macula_clients', { gateway_id: 'gw1' })).toBe(1);
    expect(sample(body, 'macula_subscriptions', { gateway_id: 'gw1' })).toBe(2);
    expect(
      sample(body, 'macula_messages_total', { gateway_id: 'gw1', direction: 'in', kind: 'subscribe' }),
    ).toBe(2);
    expect(sample(body, 'macula_peer_link_up', { gateway_id: 'gw1', peer: 'gw0' })).toBe(1);
    expect(sample(body, 'macula_peer_link_up', { gateway_id: 'gw1', peer: 'gw2' })).toBe(1);
    for (const name of [
      'macula_registrations',
      'macula_client_queue_bytes',
      'macula_slow_consumer_drops_total',
      'macula_mesh_replayed_total',
      'macula_mesh_delivered_total',
    ]) {
      expect(body).toMatch(new RegExp(`^${name}\\{`, 'm'));
    }
    expect(
      sample(body, 'macula_peer_rtt_seconds', { gateway_id: 'gw1', peer: 'gw2' }),
    ).toBeGreaterThanOrEqual(0);
    // Events published at gw0 crossed the mesh to gw1's subscriber.
    expect(sample(body, 'macula_mesh_delivered_total', { gateway_id: 'gw1' })).toBeGreaterThanOrEqual(5);
    const pubGw = await get(mesh.gateways[0], '/metrics');
    expect(
      sample(pubGw.body, 'macula_messages_total', { gateway_id: 'gw0', direction: 'in', kind: 'publish' }),
    ).toBe(5);
  });

  it('every series the Grafana mesh dashboard queries is one a gateway exports', async () => {
    const { body } = await get(mesh.gateways[1], '/metrics');
    const exported = new Set([...body.matchAll(/^# TYPE (\w+) /gm)].map((m) => m[1]));
    const queried = new Set(
      (
        meshDashboard(loadStackFile('dev', path.join(__dirname, '..', '..')).config).panels as {
          targets: { expr: string }[];
        }[]
      ).flatMap((p) => p.targets.flatMap((t) => t.expr.match(/macula_\w+/g) ?? [])),
    );
    expect(queried.size).toBeGreaterThanOrEqual(10);
    expect([...queried].filter((name) => !exported.has(name))).toEqual([]);
  });

  it('/api/peers lists the middle gateway links, both up', async () => {
    const peers = (await get(mesh.gateways[1], '/api/peers')).json();
    expect(peers.gateway_id).toBe('gw1');
    const byId = Object.fromEntries(peers.peers.map((p: { gateway_id: string }) => [p.gateway_id, p]));
    expect(Object.keys(byId).sort()).toEqual(['gw0', 'gw2']);
    expect(byId.gw0.state).toBe('up');
    expect(byId.gw2.state).toBe('up');
  });

  it('/api/topology shows the whole line as seen from an end', async () => {
    const topo = (await get(mesh.gateways[0], '/api/topology')).json();
    expect(topo.gateway_id).toBe('gw0');
    const nodes = Object.fromEntries(topo.nodes.map((n: { gateway_id: string }) => [n.gateway_id, n]));
    expect(Object.keys(nodes).sort()).toEqual(['gw0', 'gw1', 'gw2']);
    expect([nodes.gw0.distance, nodes.gw1.distance, nodes.gw2.distance]).toEqual([0, 1, 2]);
    expect(nodes.gw2.next_hop).toBe('gw1');
    expect(nodes.gw1.patterns).toEqual(expect.arrayContaining(['test.admin.>', 'test.admin.kept']));
    expect(nodes.gw2.procedures).toEqual(['test.admin.proc']);
    const links = topo.links.map((l: { a: string; b: string }) => [l.a, l.b].sort().join('-')).sort();
    expect(links).toEqual(['gw0-gw1', 'gw1-gw2']);
  });

  it('/api/subscriptions lists live and durable subscriptions', async () => {
    const subs = (await get(mesh.gateways[1], '/api/subscriptions')).json();
    expect(subs.count).toBe(2);
    expect(subs.subscriptions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pattern: 'test.admin.>', durable: null, session_id: sub.sessionId }),
        expect.objectContaining({ pattern: 'test.admin.kept', durable: 'admin-durable' }),
      ]),
    );
  });

  it('/api/registrations lists local ones and those of other gateways', async () => {
    const local = (await get(mesh.gateways[2], '/api/registrations')).json();
    expect(local.local).toEqual([
      expect.objectContaining({ procedure: 'test.admin.proc', gateway_id: 'gw2' }),
    ]);
    const remote = (await get(mesh.gateways[0], '/api/registrations')).json();
    expect(remote.local).toEqual([]);
    expect(remote.remote).toEqual([
      expect.objectContaining({ procedure: 'test.admin.proc', gateway_id: 'gw2' }),
    ]);
  });
});

describe('admin readiness and token', () => {
  const started: Gateway[] = [];
  afterAll(() => Promise.all(started.map((g) => g.stop())));

  it('/ready is 503 until the configured peers were tried, then 200', async () => {
    // A peer that accepts TCP but never answers the TLS handshake: the first dial hangs (3 s).
    const sockets = new Set<Socket>();
    const blackhole: Server = createServer((s) => void sockets.add(s));
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    const port = (blackhole.address() as { port: number }).port;
    try {
      const gw = await startGateway('gw-waiting', 'tls', {
        meshPeers: [{ transport: 'tls', host: '127.0.0.1', port, url: `tls://127.0.0.1:${port}` }],
      });
      started.push(gw);
      const early = await get(gw, '/ready');
      expect(early.status).toBe(503);
      expect((await get(gw, '/live')).status).toBe(200);
      expect((await get(gw, '/health')).status).toBe(200);
      await waitFor(() => gw.ready, 10_000, 'first dial attempt to finish');
      expect((await get(gw, '/ready')).status).toBe(200);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => blackhole.close(r));
    }
  });

  it('ADMIN_TOKEN: /api/* answer 401 without the right bearer token; probes stay open', async () => {
    const gw = await startGateway('gw-guarded', 'tls', { adminToken: 'admin-token-42' });
    started.push(gw);
    for (const path of ['/api/peers', '/api/topology', '/api/subscriptions', '/api/registrations']) {
      expect([path, (await get(gw, path)).status]).toEqual([path, 401]);
      expect([path, (await get(gw, path, 'wrong')).status]).toEqual([path, 401]);
      expect([path, (await get(gw, path, 'admin-token-42')).status]).toEqual([path, 200]);
    }
    await waitFor(() => gw.ready, 5000, 'ready');
    for (const path of ['/health', '/live', '/ready'])
      expect([path, (await get(gw, path)).status]).toEqual([path, 200]);
  });
});
