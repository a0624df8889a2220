/** Environment of the `queries` app (docs/read-side.md, "Settings"). */
import { z } from 'zod';
import { connectionEnv, connectionFrom, envInt, parseEnv, type ConnectionConfig } from '../shared/env';

export interface QueriesConfig {
  connection: ConnectionConfig;
  /** Pool size: concurrent queries served at once (more wait for a connection). */
  maxConnections: number;
  /** Identical calls share an answer this long (ms; 0 = off). */
  cacheMs: number;
}

const schema = z.object({
  ...connectionEnv,
  // DATABASE_URL is parsed by apps/shared/db when the database is opened (its errors name it).
  QUERIES_MAX_CONNECTIONS: envInt(1, 100, 10),
  QUERIES_CACHE_MS: envInt(0, 5000, 250),
});

export function queriesConfigFromEnv(env: Record<string, string | undefined>): QueriesConfig {
  const e = parseEnv(schema, env);
  return {
    connection: connectionFrom(e),
    maxConnections: e.QUERIES_MAX_CONNECTIONS,
    cacheMs: e.QUERIES_CACHE_MS,
  };
}
