/** Process entry of the `simulation` app: environment → config → connected, running app. */
import { runApp } from '../shared/lifecycle';
import { createSimulationApp } from './app';
import { simulationConfigFromEnv } from './config';

export async function main(env: Record<string, string | undefined> = process.env): Promise<void> {
  const config = simulationConfigFromEnv(env);
  await runApp('simulation', config.connection, async (client, log) => {
    const app = createSimulationApp({ ...config, log }, client);
    await app.start();
    return app;
  });
}
