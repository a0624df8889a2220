/**
 * The apps' health and metrics endpoint (docs/pulumi.md, App probes and metrics).
 * `/live` answers while the process serves requests; `/ready` only once the app is connected to its
 * gateway with its subscriptions and registrations in place, and 503 while the client reconnects
 * (the client restores them before it emits 'reconnected'); `/health` is a summary for people;
 * `/metrics` is the app's own prom-client Registry.
 *
 * Built apart from `listen` (fastify style), so tests drive it with `inject()`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { ClientEvent } from '../../gateway/client';
import { ConfigError, envInt, parseEnv } from './env';

export type ReadinessState = 'starting' | 'ready' | 'reconnecting' | 'stopping';

/** Tracks what `/ready` reports, from the app's lifecycle and the client's connection events. */
export class Readiness {
  private started = false;
  private connected = true;
  private stopping = false;

  /** Follows the client: 'disconnected' → not ready until 'reconnected'. */
  watch(client: { on(event: ClientEvent, listener: (detail?: unknown) => void): void }): this {
    client.on('disconnected', () => (this.connected = false));
    client.on('reconnected', () => (this.connected = true));
    return this;
  }

  /** The app has subscribed and registered: it can do its work. */
  markStarted(): void {
    this.started = true;
  }

  /** Shutting down: stop receiving traffic before the app lets go of its subscriptions. */
  markStopping(): void {
    this.stopping = true;
  }

  get state(): ReadinessState {
    if (this.stopping) return 'stopping';
    if (!this.started) return 'starting';
    return this.connected ? 'ready' : 'reconnecting';
  }

  get ready(): boolean {
    return this.state === 'ready';
  }
}

export interface HealthServerOptions {
  /** App name, reported by `/health`. */
  app: string;
  readiness: Readiness;
  registry: Registry;
  /** Clock for uptime (tests inject one). */
  now?: () => number;
}

export function buildHealthServer(options: HealthServerOptions): FastifyInstance {
  const { app: name, readiness, registry } = options;
  const now = options.now ?? Date.now;
  const epoch = now();
  const app = Fastify({ logger: false });
  app.get('/live', async () => ({ status: 'alive' }));
  app.get('/ready', async (_req, reply) => {
    const state = readiness.state;
    return reply.code(state === 'ready' ? 200 : 503).send({ status: state });
  });
  app.get('/health', async () => ({
    status: readiness.ready ? 'ok' : readiness.state,
    app: name,
    ready: readiness.ready,
    uptime_s: Math.round((now() - epoch) / 1000),
  }));
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  return app;
}

export interface HealthEndpoint {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on `host:port` (port 0 = any free port); a port in use is an error naming HEALTH_PORT. */
export async function listenHealth(
  app: FastifyInstance,
  port: number,
  host = '0.0.0.0',
): Promise<HealthEndpoint> {
  try {
    await app.listen({ port, host });
  } catch (err) {
    await app.close().catch(() => undefined);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES')
      // A ConfigError, so `cortexiq app` reports it like any other bad setting.
      throw new ConfigError([
        `HEALTH_PORT: cannot listen on ${host}:${port} (${code === 'EADDRINUSE' ? 'in use' : 'not permitted'}); ` +
          'set HEALTH_PORT to a free port, or 0 to turn the health server off',
      ]);
    throw err;
  }
  const bound = (app.server.address() as { port: number }).port;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return { url: `http://${shown}:${bound}`, port: bound, close: () => app.close() };
}

/** Default port of the health server (the dashboard serves its UI on PORT, 4000, and this apart). */
export const DEFAULT_HEALTH_PORT = 9090;

const healthSchema = z.object({ HEALTH_PORT: envInt(0, 65535, DEFAULT_HEALTH_PORT) });
const hostSchema = z.object({
  HEALTH_HOST: z
    .string()
    .regex(/^[A-Za-z0-9.:-]+$/, 'expected an interface address such as 0.0.0.0 or 127.0.0.1')
    .default('0.0.0.0'),
});

/** `HEALTH_HOST`: the interface the health server binds (default all, as a pod needs). */
export function healthHostFromEnv(env: Record<string, string | undefined>): string {
  return parseEnv(hostSchema, env).HEALTH_HOST;
}

/** `HEALTH_PORT` (default 9090); 0 turns the server off, so the result is then undefined. */
export function healthPortFromEnv(env: Record<string, string | undefined>): number | undefined {
  const port = parseEnv(healthSchema, env).HEALTH_PORT;
  return port === 0 ? undefined : port;
}
