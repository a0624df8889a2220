/**
 * The `dashboard` app (docs/dashboard.md): a fastify server, built apart from
 * `listen` so tests drive it with `inject()`, that holds one connection to the hub gateway, keeps a
 * live view model from the clock and the projections' aggregates, pushes it to browsers over SSE,
 * serves the JSON API and the controls, and polls the gateways' admin APIs for the Mesh page.
 */
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { GatewayClient } from '../../gateway/client';
import type { Logger } from '../shared/logger';
import type { DashboardConfig } from './config';
import { LiveState } from './model/live-state';
import { registerApi } from './server/api';
import { loadAssets, registerAssets } from './server/assets';
import { registerControls } from './server/controls';
import { CsrfTokens } from './server/csrf';
import { ApiError } from './server/errors';
import { GatewayLink } from './server/gateway-link';
import { LiveFeed } from './server/live-feed';
import { MeshPoller } from './server/mesh-poller';
import { Queries } from './server/queries';
import { SseHub } from './server/sse';

export interface DashboardOptions {
  config: Pick<
    DashboardConfig,
    'publicHost' | 'secretKeyBase' | 'adminUrls' | 'adminToken' | 'meshPollMs' | 'queryTimeoutMs'
  >;
  log: Logger;
  /** Opens a client to the hub gateway (main: the configured URL; tests: a test gateway). */
  connect: () => Promise<GatewayClient>;
  /** Where the built bundle is (bundle.ts). */
  assetsDir: string;
  /** How often the queries are polled (default 5 s). */
  queryPollMs?: number;
  /** SSE coalescing interval (default 100 ms). */
  pushIntervalMs?: number;
}

export interface Dashboard {
  readonly server: FastifyInstance;
  readonly link: GatewayLink;
  readonly state: LiveState;
  readonly feed: LiveFeed;
  readonly mesh: MeshPoller;
  readonly sse: SseHub;
  /** Connects in the background and starts the pollers. */
  start(): void;
  stop(): Promise<void>;
}

export function createDashboard(o: DashboardOptions): Dashboard {
  const { config, log } = o;
  const state = new LiveState();
  const csrf = new CsrfTokens(config.secretKeyBase);
  const link = new GatewayLink({
    connect: o.connect,
    onClient: (client) => feed.subscribe(client),
    log,
    callTimeoutMs: config.queryTimeoutMs,
  });
  const queries = new Queries(link);

  const status = () => ({
    gateway: link.state,
    gateway_id: link.gatewayId(),
    queries: feed.queriesState,
    queries_problem: feed.queriesProblem,
    malformed_events: feed.malformed.total,
  });
  const read = (part: string): unknown =>
    part === 'status' ? status() : part === 'mesh' ? mesh.view : state.part(part as never);
  const sse = new SseHub(
    read,
    () => ({ ...state.snapshot(), status: status(), mesh: mesh.view }),
    o.pushIntervalMs,
  );
  const feed: LiveFeed = new LiveFeed({
    state,
    queries,
    log,
    changed: (parts) => sse.mark(parts),
    queriesChanged: () => sse.mark(['status']),
    pollMs: o.queryPollMs,
  });
  const mesh = new MeshPoller({
    urls: config.adminUrls,
    token: config.adminToken,
    intervalMs: config.meshPollMs,
    changed: () => sse.mark(['mesh']),
  });
  link.on('state', (s) => {
    sse.mark(['status']);
    // Back on the gateway: ask the queries at once rather than at the next poll.
    if (s === 'connected') void feed.poll(false);
  });

  const server = Fastify({ logger: false, bodyLimit: 16 * 1024 });
  server.setErrorHandler((err: FastifyError | ApiError, _req, reply) => {
    if (err instanceof ApiError)
      return reply.code(err.status).send({ error: err.code, message: err.message });
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) log.error({ err }, 'request failed');
    // fastify's own 4xx (malformed JSON, body too large, wrong content type) say what was wrong.
    return reply
      .code(status)
      .send(
        status === 500
          ? { error: 'internal', message: 'internal error' }
          : { error: 'bad_request', message: err.message },
      );
  });
  server.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` }),
  );
  registerAssets(server, loadAssets(o.assetsDir), () => ({
    csrf: csrf.issue(),
    publicHost: config.publicHost,
  }));
  server.get('/api/events', async (req, reply) => sse.attach(req, reply));
  registerApi(server, { queries, state, mesh, status });
  registerControls(server, {
    link,
    csrf,
    publicHost: config.publicHost,
    answered: (c) => sse.mark(state.clockAnswered(c)),
  });

  let stopped: Promise<void> | undefined;
  return {
    server,
    link,
    state,
    feed,
    mesh,
    sse,
    start() {
      link.start();
      feed.startPolling();
      mesh.start();
    },
    stop() {
      stopped ??= (async () => {
        mesh.stop();
        sse.close();
        await feed.stop();
        await link.stop();
        await server.close();
      })();
      return stopped;
    },
  };
}
