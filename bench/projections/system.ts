/**
 * What the read-side benchmark runs on: an embedded PostgreSQL, `cortexiq gateway` processes
 * (hub, and an edge linked to it for the query callers), and the projections and queries apps as
 * `cortexiq app` processes, started the way the product starts them.
 */
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  chmodSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../apps/shared/db/embedded';
import { migrate } from '../../apps/shared/db/migrate';
import { poolConfig, targetUrl, type DatabaseTarget } from '../../apps/shared/db/url';
import { GATEWAY_NODE_FLAGS } from '../../gateway/runtime-flags';
import { nodeFlagsFor } from '../../launcher/node-flags';
import { benchGatewayEnv, freePort, spawnServer, stopServer, type ServerProcess } from '../gateway/processes';
import { pollUntil } from '../gateway/wait';

export const REALM = 'be.cortexiq.energy';
const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'cortexiq.js');

export interface BenchDatabase {
  target: DatabaseTarget;
  url: string;
  pool: Pool;
}

export class BenchPostgres {
  private constructor(
    readonly server: EmbeddedPostgres,
    private readonly root: string,
    private readonly pools: Pool[] = [],
  ) {}

  static async start(): Promise<BenchPostgres> {
    mkdirSync(join(ROOT, '.tmp'), { recursive: true }); // absent in a fresh clone
    const root = mkdtempSync(join(ROOT, '.tmp', 'bench-pg-'));
    chmodSync(root, 0o755); // the server runs as `postgres` when we are root
    return new BenchPostgres(await startEmbeddedPostgres({ dir: join(root, 'data') }), root);
  }

  /** A new migrated database. */
  async database(name: string): Promise<BenchDatabase> {
    const admin = new Client(this.server.target);
    await admin.connect();
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
    await admin.end();
    const target = { ...this.server.target, database: name };
    const pool = new Pool(poolConfig(target, 'bench', 8));
    pool.on('error', () => undefined);
    this.pools.push(pool);
    await migrate(pool);
    return { target, url: targetUrl(target), pool };
  }

  /**
   * CPU seconds (user + system) the server has used so far: the postmaster, its live backends and
   * the ones that exited (counted in the postmaster's children's time). /proc/PID/stat, in clock
   * ticks (100 a second on Linux).
   */
  cpuSeconds(): number {
    const postmaster = Number(readFileSync(join(this.server.dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const fieldsOf = (pid: string | number): string[] | undefined => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        // From the closing parenthesis of the command name: state, ppid (1), …, utime (11), stime (12),
        // cutime (13), cstime (14).
        return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      } catch {
        return undefined; // exited meanwhile
      }
    };
    const own = fieldsOf(postmaster);
    let ticks = own ? [11, 12, 13, 14].reduce((n, i) => n + Number(own[i]), 0) : 0;
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      const f = fieldsOf(pid);
      if (f && Number(f[1]) === postmaster) ticks += Number(f[11]) + Number(f[12]);
    }
    return ticks / 100;
  }

  async stop(): Promise<void> {
    await Promise.all(this.pools.map((p) => p.end().catch(() => undefined)));
    await this.server.stop();
    rmSync(this.root, { recursive: true, force: true });
  }
}

export interface BenchGateway {
  id: string;
  /** QUIC (`https://`) unless BENCH_TRANSPORT=tls (`tls://`, the same port over TCP). */
  url: string;
  /** The gateway's admin HTTP API. */
  adminUrl: string;
  process: ServerProcess;
}

/** Events the gateway dropped from durable `name` past its bound (admin API; 0 when unknown). */
export async function durableOverflow(gateway: BenchGateway, name: string): Promise<number> {
  const r = await fetch(`${gateway.adminUrl}/api/subscriptions`);
  const body = (await r.json()) as {
    subscriptions: Array<{ durable: string | null; overflow_total?: number }>;
  };
  return body.subscriptions.find((s) => s.durable === name)?.overflow_total ?? 0;
}

export async function startGateway(id: string, peers: string[] = []): Promise<BenchGateway> {
  const port = await freePort(true);
  const adminPort = await freePort();
  const process_ = await spawnServer({
    name: `gateway ${id}`,
    command: process.execPath,
    args: [...GATEWAY_NODE_FLAGS, CLI, 'gateway'],
    cwd: ROOT,
    env: benchGatewayEnv(id, REALM, port, adminPort, { MESH_PEERS: peers.join(',') }),
    ready: new RegExp(`gateway ${id} ready:`),
    timeoutMs: 30_000,
  });
  return {
    id,
    url: `${process.env.BENCH_TRANSPORT === 'tls' ? 'tls' : 'https'}://127.0.0.1:${port}`,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    process: process_,
  };
}

/** Starts `cortexiq app <name>` and waits until its /ready says 200. */
export async function startApp(
  name: string,
  gateway: BenchGateway,
  env: Record<string, string>,
): Promise<ServerProcess> {
  const health = await freePort();
  const p = await spawnServer({
    name,
    command: process.execPath,
    // BENCH_CPU_PROF=dir: profile the app (written when it stops gracefully).
    args: [
      // The app's own flags, unless BENCH_APP_NODE_OPTIONS tries others (flags given here would win).
      ...(process.env.BENCH_APP_NODE_OPTIONS ? [] : nodeFlagsFor(['app', name])),
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
      CLI,
      'app',
      name,
    ],
    cwd: ROOT,
    env: {
      ...process.env,
      MACULA_URL: gateway.url,
      MACULA_REALM: REALM,
      MACULA_TLS_INSECURE: '1',
      HEALTH_PORT: String(health),
      HEALTH_HOST: '127.0.0.1',
      LOG_LEVEL: process.env.BENCH_APP_LOG_LEVEL ?? 'info',
      // BENCH_APP_NODE_OPTIONS: Node options of the apps only (e.g. a V8 heap flag to try).
      ...(process.env.BENCH_APP_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_APP_NODE_OPTIONS } : {}),
      ...env,
    },
    // The health server is up first; /ready then says when subscribed and registered.
    ready: /health server listening/,
    timeoutMs: 60_000,
  });
  // BENCH_APP_LOG=dir: each app's output also to a file there.
  if (process.env.BENCH_APP_LOG) {
    const file = createWriteStream(join(process.env.BENCH_APP_LOG, `${name}-${p.pid}.log`));
    p.child.stdout?.pipe(file);
    p.child.stderr?.pipe(file);
  }
  try {
    await pollUntil(
      `${name} ready`,
      async () => (await fetch(`http://127.0.0.1:${health}/ready`).catch(() => undefined))?.status === 200,
      60_000,
      100,
    );
  } catch (err) {
    // What the app said is what tells why (its last lines).
    throw new Error(
      `${(err as Error).message}; ${name} wrote:\n${p.output().split('\n').slice(-15).join('\n')}`,
    );
  }
  return p;
}

export { stopServer };
