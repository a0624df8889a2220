/**
 * A publication is acknowledged to its client (PUBACK) only once the next gateway on its way has it
 * (docs/loss.md, "Publishers whose gateway dies"): the publisher's gateway (gw-b, its own process)
 * reaches the subscriber's (gw-a) through a relay that is cut silently, publications go out on the
 * link and stay unacknowledged there, and gw-b is SIGKILLed before it notices the cut. The client
 * still has every one of them and sends them again to the restarted gw-b; the subscriber gets each
 * once, in order. Before, they were acknowledged once written to the link, and died with gw-b.
 */
import type { Gateway } from '../../gateway';
import { connect, type GatewayClient } from '../../gateway/client';
import { spawnGateway, type GatewayProcess } from '../../bench/faults/gateway-process';
import { stopServer } from '../../bench/gateway/processes';
import { tcpCutter, type LinkCutter } from '../helpers/link-cutter';
import { REALM, startGateway, waitFor } from '../helpers/mesh';

jest.setTimeout(90_000);

/** The secret spawned gateways use (bench/gateway/processes.ts benchGatewayEnv). */
const MESH_SECRET = 'bench-mesh-secret-0123456789';
const TOPIC = 'be.cortexiq.test.nexthop';
const COUNT = 200;

/** What the client keeps until its gateway acknowledges it (internal on purpose). */
const keptCount = (c: GatewayClient) => (c as unknown as { unacked: { count: number } }).unacked.count;

it('a publication its client was told is taken is on the next gateway, not only in memory', async () => {
  const a: Gateway = await startGateway('gw-a', 'tls', { meshSecret: MESH_SECRET });
  let relay: LinkCutter | undefined;
  let b: GatewayProcess | undefined;
  const clients: GatewayClient[] = [];
  try {
    relay = await tcpCutter(Number(new URL(a.urls().tls!).port));
    const env = { MESH_PEERS: `tls://127.0.0.1:${relay.port}`, MACULA_REALM: REALM };
    b = await spawnGateway('gw-b', env);
    await waitFor(() => a.mesh.links.get('gw-b')?.connected === true, 30_000, 'gw-b linked');
    const sub = await connect({ url: a.urls().tls!, realm: REALM, insecure: true, clientId: 'sub' });
    clients.push(sub);
    const got: number[] = [];
    await sub.subscribe<number>(TOPIC, (n) => void got.push(n));
    const pub = await connect({ url: b.url('tls'), realm: REALM, insecure: true, clientId: 'pub' });
    clients.push(pub);
    await pub.publish(TOPIC, -1, { ack: true }); // interest known at gw-b: -1 arrives
    await waitFor(() => got.length === 1, 10_000, 'the first publication at gw-a');

    relay.cut(); // silent: gw-b's link stays up for its 2 s liveness check
    for (let i = 0; i < COUNT; i++) await pub.publish(TOPIC, i);
    // gw-b took them on (written to the link) but gw-a has not acknowledged them.
    await new Promise((r) => setTimeout(r, 100)); // a negative: PUBACKs come within 2 ms when due
    expect(keptCount(pub)).toBe(COUNT);

    const exited = new Promise((r) => b!.proc.child.once('exit', r));
    b.proc.child.kill('SIGKILL');
    await exited;
    const ports = { port: b.port, adminPort: b.adminPort };
    b = undefined;
    relay.restore();
    b = await spawnGateway('gw-b', env, ports);
    await waitFor(() => got.length >= COUNT + 1, 30_000, `${COUNT} publications at gw-a`);
    await pub.flush();
    expect(keptCount(pub)).toBe(0);
    expect(got).toEqual([-1, ...Array.from({ length: COUNT }, (_, i) => i)]);
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    if (b) await stopServer(b.proc);
    await relay?.close();
    await a.stop();
  }
});
