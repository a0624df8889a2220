/**
 * The NATS side: `nats-server` from Debian (installed when missing), two servers joined by a cluster
 * route on loopback, and the official nats.js client.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect as natsConnect, type NatsConnection } from 'nats';
import { freePort, spawnServer, stopServer, type ServerProcess } from './processes';
import type { BenchClient, SystemUnderTest } from './system';
import { getJson, pollUntil } from './wait';

const SETTLED: Promise<void> = Promise.resolve();

const CANDIDATES = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'];

function findNatsServer(): string | undefined {
  const onPath = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' }).stdout.trim();
  return onPath || CANDIDATES.find((p) => existsSync(p));
}

function run(cmd: string, args: string[], timeoutMs: number): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}` };
}

/** The nats-server binary; installs Debian's `nats-server` package with apt-get when it is missing. */
export function ensureNatsServer(log: (line: string) => void): string {
  const found = findNatsServer();
  if (found) return found;
  if (process.getuid?.() !== 0) {
    throw new Error(
      'nats-server is not installed and this is not root: run `sudo apt-get install -y nats-server` first',
    );
  }
  log('nats-server missing: installing the Debian package nats-server with apt-get');
  let r = run('apt-get', ['install', '-y', 'nats-server'], 180_000);
  if (!r.ok) {
    log('apt-get install failed; running apt-get update and trying again');
    run('apt-get', ['update'], 180_000);
    r = run('apt-get', ['install', '-y', 'nats-server'], 180_000);
  }
  const path = findNatsServer();
  if (!r.ok || !path) throw new Error(`could not install nats-server with apt-get:\n${r.out.slice(-1500)}`);
  return path;
}

export function natsServerVersion(bin: string): string {
  return run(bin, ['--version'], 5000).out.trim();
}

async function startNats(
  bin: string,
  name: string,
  clusterPort: number,
  routeTo?: number,
): Promise<{ proc: ServerProcess; port: number; monitor: number }> {
  const port = await freePort();
  const monitor = await freePort();
  const args = ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitor), '-n', name];
  args.push('--cluster_name', 'bench', '--cluster', `nats://127.0.0.1:${clusterPort}`);
  if (routeTo !== undefined) args.push('--routes', `nats://127.0.0.1:${routeTo}`);
  const proc = await spawnServer({ name, command: bin, args, ready: /Server is ready/, timeoutMs: 15_000 });
  return { proc, port, monitor };
}

export async function startNatsPair(bin: string): Promise<SystemUnderTest> {
  const [clusterA, clusterB] = [await freePort(), await freePort()];
  const started: ServerProcess[] = [];
  try {
    const a = await startNats(bin, 'bench-nats-a', clusterA);
    started.push(a.proc);
    const b = await startNats(bin, 'bench-nats-b', clusterB, clusterA);
    started.push(b.proc);
    for (const s of [a, b]) {
      await pollUntil(
        `the NATS cluster route (monitor port ${s.monitor})`,
        async () =>
          ((await getJson(`http://127.0.0.1:${s.monitor}/routez`)) as { num_routes: number }).num_routes >= 1,
        15_000,
      );
    }
    return {
      label: 'NATS',
      pacesWithFlush: true,
      urls: [`nats://127.0.0.1:${a.port}`, `nats://127.0.0.1:${b.port}`],
      connect: (url, name) => connectNats(url, name),
      connectFailures: 0,
      pids: [a.proc.pid, b.proc.pid],
      stop: async () => {
        await Promise.all([stopServer(a.proc), stopServer(b.proc)]);
      },
    };
  } catch (err) {
    await Promise.all(started.map((p) => stopServer(p, 1000)));
    throw err;
  }
}

async function connectNats(url: string, name: string): Promise<BenchClient> {
  const nc: NatsConnection = await natsConnect({ servers: url, name, reconnect: false });
  let dropped = 0;
  void (async () => {
    // A slow consumer shows up as an async server error; the received count is what proves no loss.
    for await (const s of nc.status()) if (s.type === 'error') dropped += 1;
  })();
  return {
    get dropped() {
      return dropped;
    },
    async subscribe(subject, onMessage) {
      nc.subscribe(subject, { callback: (err, msg) => (err ? (dropped += 1) : onMessage(msg.data.length)) });
      await nc.flush(); // the SUB has reached the server
    },
    publish(subject, payload) {
      nc.publish(subject, payload);
    },
    publishAwaitable(subject, payload, boundary) {
      nc.publish(subject, payload);
      return boundary ? nc.flush() : SETTLED;
    },
    flush: () => nc.flush(),
    async serve(subject) {
      nc.subscribe(subject, { callback: (err, msg) => (err ? (dropped += 1) : msg.respond(msg.data)) });
      await nc.flush();
    },
    async request(subject, payload, timeoutMs) {
      await nc.request(subject, payload, { timeout: timeoutMs });
    },
    close: () => nc.close(),
  };
}
