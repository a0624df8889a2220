/** Process entry of the `utilities` app: environment → catalogue → connected, running providers. */
import { runApp } from '../shared/lifecycle';
import type { AppMetrics } from '../shared/metrics';
import { createUtilitiesApp, type UtilitiesApp } from './app';
import { loadProviders } from './catalogue';
import { utilitiesConfigFromEnv } from './config';

export async function main(env: Record<string, string | undefined> = process.env): Promise<void> {
  const config = utilitiesConfigFromEnv(env);
  const providers = loadProviders(config.sources, config.region, config.count);
  await runApp(
    `utilities-${config.region}`,
    config.connection,
    async (client, log) => {
      const app = createUtilitiesApp({ region: config.region, providers, seed: config.seed, log }, client);
      await app.start();
      return app;
    },
    { env, metrics: registerMetrics },
  );
}

/** The app's own figures on its /metrics (apps/shared/metrics.ts). */
export function registerMetrics(app: UtilitiesApp, m: AppMetrics): void {
  m.tickLoop(app.stats, app.malformed);
  m.gauge('cortexiq_providers', 'Providers run by this app', () => app.providers.length);
  m.gauge('cortexiq_provider_contracts', "Contracts held by this app's providers", () =>
    app.providers.reduce((n, p) => n + p.contracts.size, 0),
  );
}
