/**
 * Process entry of the `dashboard` app: environment → config → the web server on PORT, up before
 * the gateway connection (which is retried in the background, the page showing "reconnecting"),
 * the health server on HEALTH_PORT, and a graceful stop on SIGINT/SIGTERM.
 */
import { ConfigError } from '../shared/env';
import {
  buildHealthServer,
  healthHostFromEnv,
  healthPortFromEnv,
  listenHealth,
  Readiness,
} from '../shared/health';
import { connectClient, untilSignal } from '../shared/lifecycle';
import { createLogger } from '../shared/logger';
import { AppMetrics } from '../shared/metrics';
import { createDashboard } from './app';
import { bundleDir, ensureBundle } from './bundle';
import { dashboardConfigFromEnv } from './config';

export async function main(env: Record<string, string | undefined> = process.env): Promise<void> {
  const config = dashboardConfigFromEnv(env);
  const healthPort = healthPortFromEnv(env);
  const healthHost = healthHostFromEnv(env);
  const log = createLogger('dashboard');
  if (config.secretGenerated)
    log.warn(
      'SECRET_KEY_BASE not set: CSRF tokens are signed with a per-process key (they end with the process)',
    );
  await ensureBundle();
  const dashboard = createDashboard({
    config,
    log,
    connect: () => connectClient('dashboard', config.connection),
    assetsDir: bundleDir(),
  });

  const readiness = new Readiness();
  const metrics = new AppMetrics('dashboard');
  metrics.gauge('cortexiq_ready', '1 when connected to the gateway; 0 otherwise', () =>
    dashboard.link.connected ? 1 : 0,
  );
  metrics.gauge('cortexiq_dashboard_browsers', 'Browsers connected over SSE', () => dashboard.sse.size);
  metrics.counter('cortexiq_dashboard_pushed_total', 'Parts pushed to browsers', () => dashboard.sse.sent);
  // /ready follows the gateway connection: 503 while connecting or reconnecting.
  readiness.watch({
    on: (event, listener) =>
      dashboard.link.on('state', (s) => {
        if (event === 'disconnected' && s === 'reconnecting') listener();
        if (event === 'reconnected' && s === 'connected') listener();
      }),
  });
  dashboard.link.on('state', (s) => {
    if (s === 'connected') readiness.markStarted();
  });
  const health =
    healthPort === undefined
      ? undefined
      : await listenHealth(
          buildHealthServer({ app: 'dashboard', readiness, registry: metrics.registry }),
          healthPort,
          healthHost,
        );

  try {
    await dashboard.server.listen({ port: config.port, host: config.host });
  } catch (err) {
    await health?.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES')
      throw new ConfigError([
        `PORT: cannot listen on ${config.host}:${config.port} (${code === 'EADDRINUSE' ? 'in use' : 'not permitted'})`,
      ]);
    throw err;
  }
  const port = (dashboard.server.server.address() as { port: number }).port;
  log.info(
    { url: `http://${config.publicHost}:${port}`, gateway: config.connection.url, health: health?.url },
    'dashboard listening',
  );
  dashboard.start();

  await untilSignal(log, async () => {
    readiness.markStopping();
    await dashboard.stop();
    await health?.close();
  });
  log.info('stopped');
}
