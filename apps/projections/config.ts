/** Environment of the `projections` app (docs/read-side.md, "Settings"). */
import { z } from 'zod';
import { connectionEnv, connectionFrom, envInt, parseEnv, type ConnectionConfig } from '../shared/env';

export interface ProjectionsConfig {
  connection: ConnectionConfig;
  /** Durable subscription name: the gateway keeps what this app has not acknowledged under it. */
  durableName: string;
  /** Events per transaction, at most. */
  maxBatch: number;
  /** A batch commits at most this long after its first event. */
  flushMs: number;
  /** Events handled and not yet committed, at most (the gateway holds the rest). */
  maxInFlight: number;
  /** Connections a batch's parts commit on at once, split by home (docs/read-side.md, "Two writers"). */
  writers: number;
  /** Hours of metrics_timeseries kept. */
  retentionHours: number;
}

/** PROJECTIONS_WRITERS: 1 to 4, default 2. */
const WRITERS = envInt(1, 4, 2);

const schema = z.object({
  ...connectionEnv,
  // DATABASE_URL is parsed by apps/shared/db when the database is opened (its errors name it).
  PROJECTIONS_DURABLE_NAME: z
    .string()
    .optional()
    .transform((v) => v?.trim() || 'cortexiq-projections'),
  PROJECTIONS_BATCH_MAX: envInt(1, 100_000, 10_000),
  PROJECTIONS_FLUSH_MS: envInt(1, 10_000, 50),
  // At most 200,000: the worker's heap is capped at 256 MB (runtime-flags.ts).
  PROJECTIONS_MAX_IN_FLIGHT: envInt(1, 200_000, 50_000),
  PROJECTIONS_WRITERS: WRITERS,
  METRICS_RETENTION_H: envInt(1, 24 * 366, 24),
});

export function projectionsConfigFromEnv(env: Record<string, string | undefined>): ProjectionsConfig {
  const e = parseEnv(schema, env);
  return {
    connection: connectionFrom(e),
    durableName: e.PROJECTIONS_DURABLE_NAME,
    maxBatch: e.PROJECTIONS_BATCH_MAX,
    flushMs: e.PROJECTIONS_FLUSH_MS,
    maxInFlight: Math.max(e.PROJECTIONS_MAX_IN_FLIGHT, e.PROJECTIONS_BATCH_MAX),
    writers: e.PROJECTIONS_WRITERS,
    retentionHours: e.METRICS_RETENTION_H,
  };
}

/** The writers the app runs with in this environment (the bench confirms a tick on each lane). */
export function writersFromEnv(env: Record<string, string | undefined>): number {
  return parseEnv(z.object({ PROJECTIONS_WRITERS: WRITERS }), env).PROJECTIONS_WRITERS;
}
