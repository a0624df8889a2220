/**
 * `cortexiq up --duration` for real (docs/protocol.md §6): the dev stack as eleven local processes on a
 * random loopback range. Checks the mesh (four gateways, six links), that the clock's ticks reach a
 * client on an edge gateway and the homes' measurements reach the hub, and that the run stops by
 * itself leaving no child behind.
 */
import { connect, type EventMeta, type GatewayClient } from '../../gateway/client';
import { isRunning, parsePids, randomBasePort, startUp, type UpRun } from './cli-run';

const REALM = 'be.cortexiq.energy';
const DURATION_S = 15;

function firstEvent(
  client: GatewayClient,
  pattern: string,
  timeoutMs: number,
): Promise<EventMeta & { payload: unknown }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no event on ${pattern} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    void client.subscribe(pattern, (payload, meta) => {
      clearTimeout(timer);
      resolve({ ...meta, payload });
    });
  });
}

async function json<T>(url: string): Promise<T> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

describe('cortexiq up (dev stack, full mesh, QUIC)', () => {
  const base = randomBasePort();
  let up: UpRun;
  const clients: GatewayClient[] = [];

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    if (up && up.proc.exitCode === null) up.proc.kill('SIGKILL');
  });

  it('starts 4 gateways and 7 apps, carries ticks and measurements across the mesh, stops cleanly', async () => {
    const t0 = Date.now();
    up = startUp(['--base-port', String(base), '--duration', String(DURATION_S)]);
    const ready = await up.waitForLine(/CortexIQ mesh is up: 11 processes ready in [\d.]+ s/, 60_000);
    await up.waitForLine(/^ {2}local only:/, 5_000); // the end of the summary: pids are printed
    const readyS = Number(/ready in ([\d.]+) s/.exec(ready)![1]);
    const pids = parsePids(up.output());
    expect([...pids.keys()].sort()).toEqual(
      [
        'be-antwerp/gateway',
        'be-antwerp/homes',
        'be-antwerp/utilities',
        'be-brabant/gateway',
        'be-brabant/homes',
        'be-brabant/utilities',
        'be-east-flanders/gateway',
        'be-east-flanders/homes',
        'be-east-flanders/utilities',
        'macula-hub/gateway',
        'macula-hub/simulation',
      ].sort(),
    );
    expect(up.output()).toMatch(
      /not part of the local run yet: macula-hub\/PostgreSQL .*macula-hub\/dashboard \(needs PostgreSQL/,
    );

    // Gateways take base..base+3 and their admin APIs base+4..base+7 (launcher/ports.ts).
    for (let i = 0; i < 4; i++) {
      const admin = `http://127.0.0.1:${base + 4 + i}`;
      expect((await fetch(`${admin}/ready`)).status).toBe(200);
      const topology = await json<{ links: unknown[]; nodes: unknown[] }>(`${admin}/api/topology`);
      expect(topology.links).toHaveLength(6);
      expect(topology.nodes).toHaveLength(4);
      const peers = await json<{ peers: { state: string }[] }>(`${admin}/api/peers`);
      expect(peers.peers.filter((p) => p.state === 'up')).toHaveLength(3);
    }

    const edge = await connect({
      url: `https://127.0.0.1:${base + 1}`,
      realm: REALM,
      insecure: true,
      clientId: 'test-edge',
    });
    const hub = await connect({
      url: `https://127.0.0.1:${base}`,
      realm: REALM,
      insecure: true,
      clientId: 'test-hub',
    });
    clients.push(edge, hub);
    const [tick, measured] = await Promise.all([
      firstEvent(edge, 'be.cortexiq.simulation.time_advanced', 8_000),
      firstEvent(hub, 'be.cortexiq.home.measured', 8_000),
    ]);
    expect(tick.gatewayId).toBe('macula-hub'); // published on the hub, delivered at be-antwerp
    expect(tick.payload).toMatchObject({ speed: 105120, paused: false });
    expect(measured.gatewayId).toMatch(/^be-(antwerp|brabant|east-flanders)$/); // an edge's homes, seen at the hub
    expect(measured.payload).toHaveProperty('simulation_time');
    await Promise.all(clients.splice(0).map((c) => c.close()));

    const exit = await up.exit;
    expect({ exit, output: up.output() }).toMatchObject({ exit: { code: 0, signal: null } });
    expect(up.output()).toMatch(new RegExp(`stopping \\(--duration ${DURATION_S}\\)`));
    expect(up.output()).toMatch(/stopped 11 processes in [\d.]+ s$/m);
    expect(up.output()).not.toMatch(/killed after the grace period/);
    expect([...pids].filter(([, pid]) => isRunning(pid))).toEqual([]);
    process.stdout.write(
      `cortexiq up: ready in ${readyS} s, whole test ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
    );
  }, 120_000);
});
