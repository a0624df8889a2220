/** Environment of the `simulation` app (docs/configuration.md; docs/domain.md, "The world"). */
import { z } from 'zod';
import {
  connectionEnv,
  connectionFrom,
  envInt,
  envIsoDate,
  parseEnv,
  type ConnectionConfig,
} from '../shared/env';
import { MAX_SPEED, MIN_SPEED } from './model/clock';

export interface SimulationConfig {
  connection: ConnectionConfig;
  speed: number;
  startMs: number;
  tickMs: number;
  seed: string;
}

const schema = z.object({
  ...connectionEnv,
  SIMULATION_SPEED: envInt(MIN_SPEED, MAX_SPEED, 105_120),
  SIMULATION_START_DATE: envIsoDate('2025-01-01T00:00:00Z'),
  TICK_MS: envInt(10, 3_600_000, 1000),
  SIMULATION_SEED: z.string().optional(),
});

export function simulationConfigFromEnv(env: Record<string, string | undefined>): SimulationConfig {
  const e = parseEnv(schema, env);
  return {
    connection: connectionFrom(e),
    speed: e.SIMULATION_SPEED,
    startMs: e.SIMULATION_START_DATE,
    tickMs: e.TICK_MS,
    seed: e.SIMULATION_SEED?.trim() || 'cortexiq',
  };
}
