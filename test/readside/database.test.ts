/** Database access: DATABASE_URL parsing, startup errors, migrations on real PostgreSQL. */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { READ_MODEL_TABLES } from '../../apps/projections/writer';
import { checkConnection, openDatabase } from '../../apps/shared/db/database';
import { runner } from 'node-pg-migrate';
import { migrate, MIGRATIONS_DIR } from '../../apps/shared/db/migrate';
import { DatabaseConfigError, maskUrl, parseDatabaseUrl } from '../../apps/shared/db/url';
import { startTestPostgres, type TestPostgres } from '../helpers/pg';

const TABLES = [...READ_MODEL_TABLES, 'system_stats'];
/** The migrations in their order. */
const MIGRATIONS = ['1796000000000_read-models', '1796100000000_home-search'];

describe('DATABASE_URL', () => {
  it('parses postgres:// and the seeds’ ecto:// form', () => {
    expect(parseDatabaseUrl('postgres://cortexiq:s%40cret@postgres:5432/cortexiq')).toEqual({
      host: 'postgres',
      port: 5432,
      user: 'cortexiq',
      password: 's@cret',
      database: 'cortexiq',
      ssl: false,
    });
    expect(parseDatabaseUrl('ecto://postgres:postgres@localhost/cortex_iq_dev')).toMatchObject({
      host: 'localhost',
      port: 5432,
      database: 'cortex_iq_dev',
    });
    expect(parseDatabaseUrl('postgresql://u:p@db:6432/x?sslmode=require').ssl).toBe(true);
  });

  it.each([
    ['not a url', 'expected a URL'],
    ['mysql://u:hunter2@h/db', 'expected the scheme'],
    ['postgres://u:hunter2@h:0/db', 'port must be from 1 to 65535'],
    ['postgres://u:hunter2@h:5432/', 'database name is missing'],
    ['postgres://:hunter2@h/db', 'user name is missing'],
  ])('%s is an error naming the variable with the password masked', (url, problem) => {
    let error: unknown;
    try {
      parseDatabaseUrl(url);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DatabaseConfigError);
    expect((error as Error).message).toMatch(/^DATABASE_URL: /);
    expect((error as Error).message).toContain(problem);
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('masks the password of text that does not parse too', () => {
    expect(maskUrl('postgres://u:p@ss word@h/db')).toBe('postgres://u:***@h/db');
  });
});

describe('on real PostgreSQL', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startTestPostgres();
  }, 90_000);
  afterAll(() => pg?.stop());

  it('migrations apply to an empty database and are idempotent', async () => {
    const db = await pg.database({ migrated: false });
    expect(await migrate(db.pool)).toEqual(MIGRATIONS);
    expect(await migrate(db.pool)).toEqual([]);
    const r = await db.pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    expect(r.rows.map((x) => x.table_name)).toEqual(expect.arrayContaining([...TABLES, 'pgmigrations']));
  });

  it('two apps migrating at once apply each migration once', async () => {
    const db = await pg.database({ migrated: false });
    const [a, b] = await Promise.all([migrate(db.pool), migrate(db.pool)]);
    expect([...a, ...b]).toEqual(MIGRATIONS);
  });

  it('a database of the first version gets the later migrations only', async () => {
    const db = await pg.database({ migrated: false });
    const client = await db.pool.connect();
    try {
      await runner({
        dbClient: client,
        dir: MIGRATIONS_DIR,
        direction: 'up',
        count: 1,
        migrationsTable: 'pgmigrations',
        ignorePattern: '.*\\.(?!sql$)[^.]+$',
        log: () => undefined,
      });
    } finally {
      client.release();
    }
    expect(await migrate(db.pool)).toEqual(MIGRATIONS.slice(1));
    const idx = await db.pool.query("SELECT 1 FROM pg_indexes WHERE indexname = 'home_states_search_idx'");
    expect(idx.rowCount).toBe(1);
  });

  it('refused credentials are a startup error naming DATABASE_URL, password masked', async () => {
    const { target } = await pg.database({ migrated: false });
    const url = `postgres://postgres:wrong-secret@127.0.0.1:${target.port}/${target.database}`;
    await expect(openDatabase({ DATABASE_URL: url }, { app: 'test' })).rejects.toThrow(
      /^DATABASE_URL: the database refused the connection .*postgres:\*\*\*@127\.0\.0\.1/,
    );
    await expect(openDatabase({ DATABASE_URL: url }, { app: 'test' })).rejects.not.toThrow(/wrong-secret/);
    await expect(
      checkConnection({ ...target, database: 'no_such_db' }, 'DATABASE_URL'),
    ).rejects.toBeInstanceOf(DatabaseConfigError);
  });

  it('openDatabase with a DATABASE_URL connects and migrates', async () => {
    const db = await pg.database({ migrated: false });
    const opened = await openDatabase({ DATABASE_URL: db.url }, { app: 'test' });
    try {
      const r = await opened.pool.query('SELECT count(*)::int AS n FROM system_stats');
      expect(r.rows[0].n).toBe(1);
      expect(opened.description).not.toContain(db.target.password);
    } finally {
      await opened.close();
    }
  });
});

describe('embedded PostgreSQL without DATABASE_URL', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'cortexiq-embedded-'));
  chmodSync(root, 0o755);
  const env = { EMBEDDED_PG_DIR: path.join(root, 'pg') };
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('starts in the project folder, is shared by a second app, survives a stale pid file', async () => {
    const first = await openDatabase(env, { app: 'a' });
    const second = await openDatabase(env, { app: 'b' });
    try {
      expect(second.target.port).toBe(first.target.port);
      await first.pool.query('UPDATE system_stats SET speed = 42');
      const r = await second.pool.query('SELECT speed FROM system_stats');
      expect(r.rows[0].speed).toBe(42);
    } finally {
      await second.close();
      await first.close();
    }
    // A crashed run leaves postmaster.pid behind with a pid that is gone.
    const pidFile = path.join(env.EMBEDDED_PG_DIR, 'postmaster.pid');
    expect(() => readFileSync(pidFile)).toThrow();
    writeFileSync(pidFile, '999999\n' + env.EMBEDDED_PG_DIR + '\n0\n5432\n');
    const again = await openDatabase(env, { app: 'a' });
    try {
      const r = await again.pool.query('SELECT speed FROM system_stats');
      expect(r.rows[0].speed).toBe(42);
    } finally {
      await again.close();
    }
  }, 90_000);
});
