/** Environment of the `homes` app (infra.md §5, domain.md §3). */
import { z } from 'zod';
import {
  connectionEnv,
  connectionFrom,
  envList,
  envNumber,
  envRegion,
  parseEnv,
  type ConnectionConfig,
  type Region,
} from '../shared/env';

export interface HomesConfig {
  connection: ConnectionConfig;
  region: Region;
  /** Files or bundled names; default: the region's bundled file (about 50 homes). */
  sources: string[];
  thresholdEur: number;
  seed: string;
}

const schema = z.object({
  ...connectionEnv,
  REGION: envRegion(),
  HOMES_SOURCES: envList([]),
  SWITCH_THRESHOLD_EUR: envNumber(0, 100_000, 50),
  SIMULATION_SEED: z.string().optional(),
});

export function homesConfigFromEnv(env: Record<string, string | undefined>): HomesConfig {
  const e = parseEnv(schema, env);
  return {
    connection: connectionFrom(e),
    region: e.REGION,
    sources: e.HOMES_SOURCES.length > 0 ? e.HOMES_SOURCES : [e.REGION],
    thresholdEur: e.SWITCH_THRESHOLD_EUR,
    seed: e.SIMULATION_SEED?.trim() || 'cortexiq',
  };
}
