/**
 * Our side: two `cortexiq gateway` processes linked by MESH_PEERS over one transport (QUIC or
 * TLS/TCP), and the project's own client library (docs/protocol.md §7).
 */
import { GATEWAY_NODE_FLAGS } from '../../gateway/runtime-flags';
import { join } from 'node:path';
import type { GatewayClient } from '../../gateway/client';
import { benchClientModule } from './client-module';
import type { QuicStack } from '../../gateway/transport/select';
import { benchGatewayEnv, freePort, spawnServer, stopServer, type ServerProcess } from './processes';
import type { BenchClient, SystemUnderTest } from './system';
import { getJson, pollUntil } from './wait';

const REALM = 'be.cortexiq.energy';
const ROOT = join(__dirname, '..', '..');

export interface GatewayPairOptions {
  transport: 'quic' | 'tls';
  /** QUIC stack of the gateways and of the bench's clients (quic only). */
  quicStack?: QuicStack;
  /** Directory for `node --cpu-prof` profiles of the gateways; no profiling when absent. */
  cpuProfDir?: string;
}

function scheme(transport: 'quic' | 'tls'): string {
  return transport === 'quic' ? 'https' : 'tls';
}

async function startGateway(
  id: string,
  port: number,
  adminPort: number,
  peers: string[],
  opts: GatewayPairOptions,
): Promise<ServerProcess> {
  const nodeArgs = opts.cpuProfDir
    ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`, `--cpu-prof-name=${id}.cpuprofile`]
    : [];
  return spawnServer({
    name: `gateway ${id}`,
    command: process.execPath,
    // Started the way the product starts it (launcher, container image): with its Node flags.
    args: [...GATEWAY_NODE_FLAGS, ...nodeArgs, join(ROOT, 'bin', 'cortexiq.js'), 'gateway'],
    cwd: ROOT,
    env: benchGatewayEnv(id, REALM, port, adminPort, {
      MESH_PEERS: peers.join(','),
      ...(opts.quicStack ? { MACULA_QUIC_STACK: opts.quicStack } : {}),
    }),
    ready: new RegExp(`gateway ${id} ready:`),
    timeoutMs: 30_000,
  });
}

interface Topology {
  links: Array<{ a: string; b: string }>;
}

function linked(t: Topology, x: string, y: string): boolean {
  return t.links.some((l) => (l.a === x && l.b === y) || (l.a === y && l.b === x));
}

export async function startGatewayPair(opts: GatewayPairOptions): Promise<SystemUnderTest> {
  const tag = opts.transport === 'quic' && opts.quicStack ? `quic-${opts.quicStack}` : opts.transport;
  const [portA, portB] = [await freePort(true), await freePort(true)];
  const [adminA, adminB] = [await freePort(), await freePort()];
  const idA = `bench-${tag}-a`;
  const idB = `bench-${tag}-b`;
  const started: ServerProcess[] = [];
  try {
    started.push(await startGateway(idA, portA, adminA, [], opts));
    started.push(
      await startGateway(idB, portB, adminB, [`${scheme(opts.transport)}://127.0.0.1:${portA}`], opts),
    );
    // Ready only means listening: wait until both ends see the link in their topology.
    for (const admin of [adminA, adminB]) {
      await pollUntil(
        `gateways ${idA} and ${idB} to link (admin port ${admin})`,
        async () => linked((await getJson(`http://127.0.0.1:${admin}/api/topology`)) as Topology, idA, idB),
        15_000,
      );
    }
  } catch (err) {
    await Promise.all(started.map((p) => stopServer(p, 1000)));
    throw err;
  }
  const [a, b] = started;
  const failures = { count: 0 };
  return {
    label: `ours ${opts.transport === 'quic' ? `QUIC${opts.quicStack ? ` ${opts.quicStack}` : ''}` : 'TLS'}`,
    urls: [
      `${scheme(opts.transport)}://127.0.0.1:${portA}`,
      `${scheme(opts.transport)}://127.0.0.1:${portB}`,
    ],
    connect: (url, name) => connectOurs(url, name, failures, opts.quicStack),
    get connectFailures() {
      return failures.count;
    },
    pids: [a.pid, b.pid],
    adminUrls: [`http://127.0.0.1:${adminA}`, `http://127.0.0.1:${adminB}`],
    stop: async () => {
      await Promise.all([stopServer(a), stopServer(b)]);
    },
  };
}

const CONNECT_ATTEMPTS = 5;

/**
 * Connect with a bounded retry: QUIC connects sometimes get no WELCOME (the gateway accepts the
 * stream but never sees HELLO); each failed attempt is counted and shown next to the table.
 */
async function connectOurs(
  url: string,
  name: string,
  failures: { count: number },
  quicStack: QuicStack | undefined,
): Promise<BenchClient> {
  let client: GatewayClient | undefined;
  for (let attempt = 1; !client; attempt++) {
    try {
      client = await benchClientModule().connect({
        url,
        realm: REALM,
        insecure: true,
        clientId: name,
        quicStack,
        reconnect: false,
        connectTimeoutMs: 3000,
      });
    } catch (err) {
      failures.count++;
      if (attempt >= CONNECT_ATTEMPTS)
        throw new Error(
          `${name}: ${CONNECT_ATTEMPTS} connect attempts to ${url} failed, last: ${(err as Error).message}`,
        );
    }
  }
  let dropped = 0;
  client.on('dropped', (detail) => {
    dropped += (detail as { count?: number } | undefined)?.count ?? 1;
  });
  return {
    get dropped() {
      return dropped;
    },
    async subscribe(subject, onMessage) {
      await client.subscribe<Uint8Array>(subject, (payload) => onMessage(payload.length));
    },
    publish(subject, payload) {
      // Resolved at once for fire-and-forget; a rejection would be a bad topic, a bench bug.
      void client.publish(subject, payload);
    },
    publishAwaitable: (subject, payload) => client.publish(subject, payload),
    flush: () => client.flush(),
    async serve(subject) {
      await client.register<Uint8Array, Uint8Array>(subject, (args) => args);
    },
    async request(subject, payload, timeoutMs) {
      await client.call(subject, payload, { timeoutMs });
    },
    close: () => client.close(),
  };
}
