/**
 * Process entry helpers shared by the apps: start the health server, connect to the local gateway
 * with the client library, start the app, and shut down gracefully on SIGINT/SIGTERM (not ready
 * first, then stop the app, close the client and the health server).
 */
import { connect, type GatewayClient } from '../../gateway/client';
import type { ConnectionConfig } from './env';
import {
  buildHealthServer,
  healthHostFromEnv,
  healthPortFromEnv,
  listenHealth,
  Readiness,
  type HealthEndpoint,
} from './health';
import { createLogger, type Logger } from './logger';
import { AppMetrics } from './metrics';

export interface Stoppable {
  stop(): Promise<void>;
}

export async function connectClient(name: string, connection: ConnectionConfig): Promise<GatewayClient> {
  return connect({
    url: connection.url,
    realm: connection.realm,
    token: connection.token,
    insecure: connection.insecure,
    // Stable across restarts: a durable subscription belongs to the client id that created it
    // (docs/protocol.md, durable subscriptions), so a restarted app must present the same one.
    clientId: process.env.CLIENT_ID || name,
  });
}

export interface StartOptions<A> {
  /** Health server port (`HEALTH_PORT`; 0 = any free port); undefined = no health server. */
  healthPort?: number;
  /** Interface of the health server (default all, as a pod needs; tests use 127.0.0.1). */
  healthHost?: string;
  /** Registers the app's own metrics once it is built. */
  metrics?: (app: A, metrics: AppMetrics) => void;
  log?: Logger;
}

export interface RunningApp<A> {
  readonly app: A;
  readonly client: GatewayClient;
  readonly readiness: Readiness;
  readonly metrics: AppMetrics;
  /** The health server, when one was asked for. */
  readonly health?: HealthEndpoint;
  stop(): Promise<void>;
}

/**
 * Starts one app: the health server first (so `/live` answers and `/ready` says 503 while connecting),
 * then the client, then `build`, which must return the app once it has subscribed and registered.
 */
export async function startApp<A extends Stoppable>(
  name: string,
  connection: ConnectionConfig,
  build: (client: GatewayClient, log: Logger) => Promise<A>,
  options: StartOptions<A> = {},
): Promise<RunningApp<A>> {
  const log = options.log ?? createLogger(name);
  const readiness = new Readiness();
  const metrics = new AppMetrics(name);
  let reconnects = 0;
  metrics.gauge('cortexiq_ready', '1 when connected, subscribed and registered; 0 otherwise', () =>
    readiness.ready ? 1 : 0,
  );
  metrics.counter(
    'cortexiq_gateway_reconnects_total',
    'Times the gateway connection was restored',
    () => reconnects,
  );
  let health: HealthEndpoint | undefined;
  if (options.healthPort !== undefined) {
    health = await listenHealth(
      buildHealthServer({ app: name, readiness, registry: metrics.registry }),
      options.healthPort,
      options.healthHost,
    );
    log.info({ url: health.url }, 'health server listening');
  }
  let client: GatewayClient | undefined;
  try {
    client = await connectClient(name, connection);
    readiness.watch(client);
    client.on('disconnected', () => log.warn('gateway connection lost: not ready until reconnected'));
    client.on('reconnected', () => {
      reconnects++;
      log.info('gateway connection restored');
    });
    log.info({ url: connection.url, realm: connection.realm, gateway: client.gatewayId }, 'connected');
    const app = await build(client, log);
    options.metrics?.(app, metrics);
    readiness.markStarted();
    const connected = client;
    let stopped: Promise<void> | undefined;
    return {
      app,
      client: connected,
      readiness,
      metrics,
      health,
      stop() {
        stopped ??= (async () => {
          readiness.markStopping();
          await app.stop().catch((err: unknown) => log.error({ err }, 'stop failed'));
          await connected.close().catch((err: unknown) => log.error({ err }, 'close failed'));
          await health?.close().catch((err: unknown) => log.error({ err }, 'health server close failed'));
        })();
        return stopped;
      },
    };
  } catch (err) {
    await client?.close().catch(() => undefined);
    await health?.close().catch(() => undefined);
    throw err;
  }
}

export interface RunOptions<A> {
  /** The process environment: HEALTH_PORT and HEALTH_HOST are read from it, before connecting. */
  env: Record<string, string | undefined>;
  metrics?: (app: A, metrics: AppMetrics) => void;
}

/**
 * Runs one app process until SIGINT/SIGTERM. `build` receives the connected client and a logger
 * and returns the started app. A second signal while stopping exits at once.
 */
export async function runApp<A extends Stoppable>(
  name: string,
  connection: ConnectionConfig,
  build: (client: GatewayClient, log: Logger) => Promise<A>,
  options: RunOptions<A>,
): Promise<void> {
  // Read first, so a bad value stops the app before it connects.
  const healthPort = healthPortFromEnv(options.env);
  const healthHost = healthHostFromEnv(options.env);
  const log = createLogger(name);
  const running = await startApp(name, connection, build, {
    healthPort,
    healthHost,
    metrics: options.metrics,
    log,
  });
  await untilSignal(log, () => running.stop());
  log.info('stopped');
}

/** Resolves once SIGINT/SIGTERM has arrived and `stop` has finished; a second signal exits at once. */
export function untilSignal(log: Logger, stop: () => Promise<unknown>): Promise<void> {
  return new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(130);
      stopping = true;
      log.info({ signal }, 'stopping');
      void stop().finally(() => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
