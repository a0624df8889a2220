/**
 * `DATABASE_URL` parsing (docs/read-side.md). Accepts `postgres://` and `postgresql://`, and the
 * `ecto://` form the original system's seeds use (same parts, Elixir's scheme). Every problem names
 * the variable and shows the URL with its password masked, so a log never carries a secret.
 */
import type { PoolConfig } from 'pg';

const SCHEMES = new Set(['postgres:', 'postgresql:', 'ecto:']);

export class DatabaseConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseConfigError';
  }
}

export interface DatabaseTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** `sslmode=require` / `ssl=true` in the query string. */
  ssl: boolean;
}

/** The URL with any password replaced by `***` (also for text that does not parse as a URL). */
export function maskUrl(text: string): string {
  // Up to the last `@`: a password may hold one.
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):.*@/i, '$1:***@');
}

export function parseDatabaseUrl(text: string, variable = 'DATABASE_URL'): DatabaseTarget {
  const fail = (problem: string): never => {
    throw new DatabaseConfigError(`${variable}: ${problem}, got ${JSON.stringify(maskUrl(text.trim()))}`);
  };
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return fail('expected a URL such as postgres://user:password@host:5432/database');
  }
  if (!SCHEMES.has(url.protocol)) fail('expected the scheme postgres://, postgresql:// or ecto://');
  if (!url.hostname) fail('the host is missing');
  const port = url.port === '' ? 5432 : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail('the port must be from 1 to 65535');
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database || database.includes('/')) fail('the database name is missing (…/database at the end)');
  if (!url.username) fail('the user name is missing (user:password@host)');
  const sslmode = url.searchParams.get('sslmode') ?? url.searchParams.get('ssl');
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database,
    ssl: sslmode !== null && !['disable', 'false', '0'].includes(sslmode),
  };
}

/** The same target as a `postgres://` URL with the password masked, for logs and errors. */
export function describeTarget(t: DatabaseTarget): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `postgres://${encodeURIComponent(t.user)}${t.password ? ':***' : ''}@${host}:${t.port}/${encodeURIComponent(t.database)}`;
}

/** A `postgres://` URL with the password in clear, for child processes and tests only. */
export function targetUrl(t: DatabaseTarget): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  const auth = `${encodeURIComponent(t.user)}${t.password ? `:${encodeURIComponent(t.password)}` : ''}`;
  return `postgres://${auth}@${host}:${t.port}/${encodeURIComponent(t.database)}`;
}

/** Pool limits for one app process (docs/read-side.md: why these numbers). */
export function poolConfig(t: DatabaseTarget, app: string, max = 8): PoolConfig {
  return {
    host: t.host,
    port: t.port,
    user: t.user,
    password: t.password,
    database: t.database,
    ssl: t.ssl ? { rejectUnauthorized: false } : undefined,
    max,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
    application_name: `cortexiq-${app}`,
    // A runaway query must not hold a connection (and its locks) forever.
    statement_timeout: 30_000,
  };
}
