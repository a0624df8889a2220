/** Process entry of the `homes` app: environment → config → homes files → connected, running app. */
import { runApp } from '../shared/lifecycle';
import type { AppMetrics } from '../shared/metrics';
import { createHomesApp, type HomesApp } from './app';
import { homesConfigFromEnv } from './config';
import { loadHomes } from './homes-file';
import { loadNetworkTariffs } from './network-tariffs';

export async function main(env: Record<string, string | undefined> = process.env): Promise<void> {
  const config = homesConfigFromEnv(env);
  // Files are checked before connecting: a bad file is a startup error, not a half-started app.
  const homes = loadHomes(config.sources, config.region);
  const tariff = loadNetworkTariffs(config.tariffsSource)[config.region];
  await runApp(
    `homes-${config.region}`,
    config.connection,
    async (client, log) => {
      const app = createHomesApp({ ...config, homes, tariff, log }, client);
      await app.start();
      return app;
    },
    { env, metrics: registerMetrics },
  );
}

/** The app's own figures on its /metrics (apps/shared/metrics.ts). */
export function registerMetrics(app: HomesApp, m: AppMetrics): void {
  m.tickLoop(app.stats, app.malformed);
  m.gauge('cortexiq_homes', 'Homes simulated by this app', () => app.homes.length);
  m.gauge('cortexiq_homes_on_contract', 'Homes with a provider contract', () =>
    app.homes.reduce((n, h) => n + (h.contract ? 1 : 0), 0),
  );
  m.gauge('cortexiq_market_offers', 'Latest offers known, one per provider', () => app.market.offers.size);
}
