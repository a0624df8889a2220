/**
 * Opens the database an app works on: `DATABASE_URL` when given, else an embedded PostgreSQL in a
 * project-local folder (`.cortexiq/pg`, or `EMBEDDED_PG_DIR`). Connects once to check the
 * credentials (a refusal is a startup error naming the variable, password masked), then migrates.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Client, Pool } from 'pg';
import type { Logger } from '../logger';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded';
import { migrate } from './migrate';
import {
  DatabaseConfigError,
  describeTarget,
  parseDatabaseUrl,
  poolConfig,
  type DatabaseTarget,
} from './url';

export interface Database {
  readonly pool: Pool;
  /** Where it is, password masked. */
  readonly description: string;
  readonly target: DatabaseTarget;
  close(): Promise<void>;
}

export interface OpenOptions {
  app: string;
  log?: Logger;
  /** Pool size (default 8). */
  maxConnections?: number;
  /** Working folder for the embedded server (default the current directory). */
  cwd?: string;
}

/** SQLSTATE classes that mean "who you are is not accepted here". */
const REFUSED = new Set(['28000', '28P01', '3D000']);

/** Connects once; a refusal of the credentials or the database becomes a DatabaseConfigError. */
export async function checkConnection(target: DatabaseTarget, variable: string): Promise<void> {
  const client = new Client({ ...poolConfig(target, 'check'), connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code && REFUSED.has(code))
      throw new DatabaseConfigError(
        `${variable}: the database refused the connection (${(err as Error).message}) for ${describeTarget(target)}`,
      );
    throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Ensures `name` exists on the server (the embedded one starts with `postgres` only). */
export async function ensureDatabase(server: DatabaseTarget, name: string): Promise<void> {
  const client = new Client(poolConfig(server, 'setup'));
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } catch (err) {
    // Two apps starting together: the other one made it first.
    if ((err as { code?: string }).code !== '42P04') throw err;
  } finally {
    await client.end();
  }
}

export async function openDatabase(
  env: Record<string, string | undefined>,
  options: OpenOptions,
): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let target: DatabaseTarget;
  const url = env.DATABASE_URL?.trim();
  if (url) {
    target = parseDatabaseUrl(url, 'DATABASE_URL');
    await checkConnection(target, 'DATABASE_URL');
  } else {
    const dir = path.resolve(options.cwd ?? process.cwd(), env.EMBEDDED_PG_DIR?.trim() || '.cortexiq/pg');
    mkdirSync(path.dirname(dir), { recursive: true });
    embedded = await startEmbeddedPostgres({ dir });
    target = { ...embedded.target, database: 'cortexiq' };
    await ensureDatabase(embedded.target, target.database);
    options.log?.info({ dir, port: target.port }, 'embedded PostgreSQL started (no DATABASE_URL)');
  }
  const pool = new Pool(poolConfig(target, options.app, options.maxConnections));
  // An idle client losing its server (restart, failover) must not crash the process.
  pool.on('error', (err) => options.log?.warn({ err: err.message }, 'idle database connection lost'));
  try {
    await migrate(pool, options.log);
  } catch (err) {
    await pool.end().catch(() => undefined);
    await embedded?.stop();
    throw err;
  }
  return {
    pool,
    target,
    description: describeTarget(target),
    async close() {
      await pool.end().catch(() => undefined);
      await embedded?.stop();
    },
  };
}
