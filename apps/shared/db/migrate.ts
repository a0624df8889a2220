/**
 * Versioned schema migrations with node-pg-migrate (the SQL files in ./migrations), run at every
 * start of the apps that use PostgreSQL; what has been applied is recorded in `pgmigrations`.
 */
import path from 'node:path';
import { runner } from 'node-pg-migrate';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from '../logger';

export const MIGRATIONS_DIR = path.join(__dirname, 'migrations');

/** Our own lock key (the tool's lock fails at once when taken; this one waits its turn). */
const MIGRATE_LOCK = 0x63_6f_72_74; // "cort"

/**
 * Applies every pending migration; returns the names applied now (empty when up to date). Apps
 * starting together queue on an advisory lock: the first migrates, the others then find nothing
 * left to apply.
 */
export async function migrate(pool: Pool, log?: Logger): Promise<string[]> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATE_LOCK]);
    try {
      return await migrateWith(client, log);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATE_LOCK]);
    }
  } finally {
    client.release();
  }
}

async function migrateWith(client: PoolClient, log?: Logger): Promise<string[]> {
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
}
