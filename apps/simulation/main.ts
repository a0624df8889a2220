/** Process entry of the `simulation` app: environment → config → connected, running app. */
import { runApp } from '../shared/lifecycle';
import type { AppMetrics } from '../shared/metrics';
import { createSimulationApp, type SimulationApp } from './app';
import { simulationConfigFromEnv } from './config';

export async function main(env: Record<string, string | undefined> = process.env): Promise<void> {
  const config = simulationConfigFromEnv(env);
  await runApp(
    'simulation',
    config.connection,
    async (client, log) => {
      const app = createSimulationApp({ ...config, log }, client);
      await app.start();
      return app;
    },
    { env, metrics: registerMetrics },
  );
}

/** The app's own figures on its /metrics (apps/shared/metrics.ts). */
export function registerMetrics(app: SimulationApp, m: AppMetrics): void {
  m.gauge('cortexiq_simulation_speed', 'Simulated ms per real ms', () => app.clock.speed);
  m.gauge('cortexiq_simulation_paused', '1 while the clock is paused', () => (app.clock.paused ? 1 : 0));
  m.gauge(
    'cortexiq_simulation_tick',
    'Ticks published since start or the last reset',
    () => app.clock.state().tick,
  );
  m.gauge(
    'cortexiq_simulation_time_seconds',
    'Simulated time (Unix seconds)',
    () => app.clock.simMs() / 1000,
  );
}
