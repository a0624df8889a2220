/** Environment of the `homes` app (docs/configuration.md; docs/domain.md, "Homes"). */
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
  propensity: number;
  /** Network tariff file (NETWORK_TARIFFS); default: the bundled one. */
  tariffsSource?: string;
  seed: string;
}

/**
 * Monthly chance that a home acts on a saving above the threshold. Calibrated (docs/calibration.md):
 * at 0.15 half the homes switched in a year, at 0.05 about a quarter, as in Flanders.
 */
export const DEFAULT_SWITCH_PROPENSITY = 0.05;

const schema = z.object({
  ...connectionEnv,
  REGION: envRegion(),
  HOMES_SOURCES: envList([]),
  SWITCH_THRESHOLD_EUR: envNumber(0, 100_000, 50),
  SWITCH_PROPENSITY: envNumber(0, 1, DEFAULT_SWITCH_PROPENSITY),
  NETWORK_TARIFFS: z.string().optional(),
  SIMULATION_SEED: z.string().optional(),
});

export function homesConfigFromEnv(env: Record<string, string | undefined>): HomesConfig {
  const e = parseEnv(schema, env);
  return {
    connection: connectionFrom(e),
    region: e.REGION,
    sources: e.HOMES_SOURCES.length > 0 ? e.HOMES_SOURCES : [e.REGION],
    thresholdEur: e.SWITCH_THRESHOLD_EUR,
    propensity: e.SWITCH_PROPENSITY,
    tariffsSource: e.NETWORK_TARIFFS?.trim() || undefined,
    seed: e.SIMULATION_SEED?.trim() || 'cortexiq',
  };
}
