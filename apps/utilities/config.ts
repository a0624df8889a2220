/** Environment of the `utilities` app (docs/configuration.md; docs/domain.md, "Providers"). */
import { z } from 'zod';
import {
  connectionEnv,
  connectionFrom,
  envInt,
  envList,
  envRegion,
  parseEnv,
  type ConnectionConfig,
  type Region,
} from '../shared/env';

export interface UtilitiesConfig {
  connection: ConnectionConfig;
  region: Region;
  count: number;
  sources: string[];
  seed: string;
}

const schema = z.object({
  ...connectionEnv,
  REGION: envRegion(),
  PROVIDERS_COUNT: envInt(1, 1000, 5),
  PROVIDERS_SOURCES: envList(['providers']),
  SIMULATION_SEED: z.string().optional(),
});

export function utilitiesConfigFromEnv(env: Record<string, string | undefined>): UtilitiesConfig {
  const e = parseEnv(schema, env);
  return {
    connection: connectionFrom(e),
    region: e.REGION,
    count: e.PROVIDERS_COUNT,
    sources: e.PROVIDERS_SOURCES,
    seed: e.SIMULATION_SEED?.trim() || 'cortexiq',
  };
}
