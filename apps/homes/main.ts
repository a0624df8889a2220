/** Process entry of the `homes` app: environment → config → homes files → connected, running app. */
import { runApp } from '../shared/lifecycle';
import { createHomesApp } from './app';
import { homesConfigFromEnv } from './config';
import { loadHomes } from './homes-file';

export async function main(env: Record<string, string | undefined> = process.env): Promise<void> {
  const config = homesConfigFromEnv(env);
  // Files are checked before connecting: a bad file is a startup error, not a half-started app.
  const homes = loadHomes(config.sources, config.region);
  await runApp(`homes-${config.region}`, config.connection, async (client, log) => {
    const app = createHomesApp({ ...config, homes, log }, client);
    await app.start();
    return app;
  });
}
