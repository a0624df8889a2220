/** Process entry of the `utilities` app: environment → catalogue → connected, running providers. */
import { runApp } from '../shared/lifecycle';
import { createUtilitiesApp } from './app';
import { loadProviders } from './catalogue';
import { utilitiesConfigFromEnv } from './config';

export async function main(env: Record<string, string | undefined> = process.env): Promise<void> {
  const config = utilitiesConfigFromEnv(env);
  const providers = loadProviders(config.sources, config.region, config.count);
  await runApp(`utilities-${config.region}`, config.connection, async (client, log) => {
    const app = createUtilitiesApp({ region: config.region, providers, seed: config.seed, log }, client);
    await app.start();
    return app;
  });
}
