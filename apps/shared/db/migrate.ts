/**
 * Versioned schema migrations with node-pg-migrate (the SQL files in ./migrations), run at every
 * start of the apps that use PostgreSQL. The tool takes an advisory lock, so projections and queries
 * starting together migrate once; what has been applied is recorded in `pgmigrations`.
 */
import path from 'node:path';
import { runner } from 'node-pg-migrate';
import type { Pool } from 'pg';
import type { Logger } from '../logger';

export const MIGRATIONS_DIR = path.join(__dirname, 'migrations');

const LOCKED = 'Another migration is already running';

/**
 * Applies every pending migration; returns the names applied now (empty when up to date). The tool
 * fails at once when another process holds its lock: then wait and try again (the other one is
 * migrating; once it is done there is nothing left to apply).
 */
export async function migrate(pool: Pool, log?: Logger, waitMs = 60_000): Promise<string[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await migrateOnce(pool, log);
    } catch (err) {
      if (!(err instanceof Error && err.message.includes(LOCKED)) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
}

async function migrateOnce(pool: Pool, log?: Logger): Promise<string[]> {
  const client = await pool.connect();
  try {
    const applied = await runner({
      dbClient: client,
      dir: MIGRATIONS_DIR,
      direction: 'up',
      migrationsTable: 'pgmigrations',
      checkOrder: true,
      // SQL files only: the same files work from the sources, from dist/ and under Jest.
      ignorePattern: '.*\\.(?!sql$)[^.]+$',
      log: () => undefined,
      logger: {
        debug: () => undefined,
        info: (m: string) => log?.debug({ migration: m }, 'migration'),
        warn: (m: string) => log?.warn({ migration: m }, 'migration'),
        error: (m: string) => log?.error({ migration: m }, 'migration'),
      },
    });
    const names = applied.map((m) => m.name);
    if (names.length > 0) log?.info({ applied: names }, 'database migrated');
    return names;
  } finally {
    client.release();
  }
}
