/**
 * `cortexiq postgres`: the embedded PostgreSQL of a local run as a process of its own, so `cortexiq
 * up` starts it first, gives every app the same DATABASE_URL and stops it last (docs/local-run.md).
 * It makes the `cortexiq` database and applies the migrations before it says ready, watches the
 * server, and stops it cleanly on SIGINT/SIGTERM. A server left running by a crashed run in the
 * same folder is stopped first, so the port and the password are always the ones asked for.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Pool } from 'pg';
import { Registry } from 'prom-client';
import { CliError } from '../cli-error';
import {
  buildHealthServer,
  healthHostFromEnv,
  healthPortFromEnv,
  listenHealth,
  Readiness,
} from '../../apps/shared/health';
import { createLogger } from '../../apps/shared/logger';
import { ensureDatabase } from '../../apps/shared/db/database';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../apps/shared/db/embedded';
import { migrate } from '../../apps/shared/db/migrate';
import { describeTarget, poolConfig } from '../../apps/shared/db/url';

const USAGE = `usage: cortexiq postgres   (configured by the environment)

  EMBEDDED_PG_DIR   data folder (default .cortexiq/pg); the password is kept beside it
  PGPORT            TCP port on 127.0.0.1 (default 5432)
  HEALTH_PORT       /live, /ready (the database made and migrated) and /metrics (default 9090; 0 = off)
  HEALTH_HOST       interface of the health server (default 0.0.0.0)
`;

/** Consecutive failed checks (every 2 s) after which the server counts as gone. */
const CHECK_EVERY_MS = 2000;
const FAILED_CHECKS = 3;

function portFrom(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return 5432;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > 65535)
    throw new CliError(`PGPORT: expected a TCP port from 1 to 65535, got '${text}'`);
  return n;
}

/** The postmaster of a crashed run still serving `dir` (postmaster.pid names a live postgres). */
function strayPostmaster(dir: string): number | undefined {
  const file = path.join(dir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  try {
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return command.includes('postgres') ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function stopStray(pid: number, log: ReturnType<typeof createLogger>): Promise<void> {
  log.warn({ pid }, 'stopping a PostgreSQL left running by an earlier run in this data folder');
  process.kill(pid, 'SIGINT'); // PostgreSQL's fast shutdown
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new CliError(
    `a PostgreSQL left by an earlier run (pid ${pid}) did not stop within 15 s; stop it and retry`,
  );
}

export async function run(args: string[]): Promise<void> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  if (args.length > 0) throw new CliError(`unexpected argument '${args[0]}'\n\n${USAGE}`);
  const log = createLogger('postgres');
  const dir = path.resolve(process.env.EMBEDDED_PG_DIR?.trim() || '.cortexiq/pg');
  const port = portFrom(process.env.PGPORT);
  const readiness = new Readiness();
  const healthPort = healthPortFromEnv(process.env);
  const health =
    healthPort === undefined
      ? undefined
      : await listenHealth(
          buildHealthServer({ app: 'postgres', readiness, registry: new Registry() }),
          healthPort,
          healthHostFromEnv(process.env),
        );
  mkdirSync(path.dirname(dir), { recursive: true });
  const stray = strayPostmaster(dir);
  if (stray !== undefined) await stopStray(stray, log);

  let server: EmbeddedPostgres;
  try {
    server = await startEmbeddedPostgres({ dir, port });
  } catch (err) {
    await health?.close();
    throw new CliError((err as Error).message);
  }
  const target = { ...server.target, database: 'cortexiq' };
  const pool = new Pool({ ...poolConfig(target, 'postgres', 2), statement_timeout: 0 });
  pool.on('error', () => undefined); // a lost idle connection shows in the next check
  if (server.shared) {
    await health?.close();
    throw new CliError(`${dir} is being served by another PostgreSQL that started at the same moment; retry`);
  }
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  let stopping: Promise<void> | undefined;
  const stop = (code: number) =>
    (stopping ??= (async () => {
      readiness.markStopping();
      clearInterval(watch);
      await pool.end().catch(() => undefined);
      await server.stop();
      await health?.close();
      log.info({ dir }, 'PostgreSQL stopped');
      process.exitCode = code;
      finished();
    })());
  let failed = 0;
  const watch = setInterval(() => {
    pool.query('SELECT 1').then(
      () => (failed = 0),
      (err: Error) => {
        if (++failed < FAILED_CHECKS) return;
        log.error({ err: err.message }, 'PostgreSQL stopped answering');
        void stop(1);
      },
    );
  }, CHECK_EVERY_MS);
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  try {
    await ensureDatabase(server.target, target.database);
    const applied = await migrate(pool, log);
    log.info(
      { dir, url: describeTarget(target), migrations: applied.length },
      `PostgreSQL ready on 127.0.0.1:${port}${applied.length ? `, ${applied.length} migrations applied` : ''}`,
    );
  } catch (err) {
    log.error({ err: (err as Error).message }, 'PostgreSQL could not be prepared');
    await stop(1);
  }
  readiness.markStarted();
  await done;
}
