/**
 * Admin HTTP API (gateway.md §5): health, readiness, liveness, Prometheus metrics and JSON views of
 * peers, topology, subscriptions and registrations. Optional bearer token (ADMIN_TOKEN).
 */
import Fastify from 'fastify';
import type { Gateway } from '../gateway';
import { createMetrics } from './metrics';
import { peersView, registrationsView, subscriptionsView, topologyView } from './views';

export interface AdminServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startAdmin(gw: Gateway): Promise<AdminServer> {
  const app = Fastify({ logger: false });
  const registry = createMetrics(gw);
  const token = gw.config.adminToken;
  if (token) {
    app.addHook('onRequest', async (req, reply) => {
      // Probes stay open so Kubernetes can use them without the token.
      if (req.url === '/health' || req.url === '/live' || req.url === '/ready') return;
      if (req.headers.authorization !== `Bearer ${token}`) {
        await reply.code(401).send({ error: 'unauthorized', message: 'missing or wrong bearer token' });
      }
    });
  }
  app.get('/health', async () => ({ status: 'ok', gateway_id: gw.gatewayId, realm: gw.config.realm, uptime_s: Math.round((Date.now() - gw.epoch) / 1000) }));
  app.get('/live', async () => ({ status: 'alive' }));
  app.get('/ready', async (_req, reply) => {
    if (!gw.ready) return reply.code(503).send({ status: 'starting', peers_tried: gw.dialers.filter((d) => d.attempts > 0).length, peers: gw.dialers.length });
    return { status: 'ready' };
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  app.get('/api/peers', async () => peersView(gw));
  app.get('/api/topology', async () => topologyView(gw));
  app.get('/api/subscriptions', async () => subscriptionsView(gw));
  app.get('/api/registrations', async () => registrationsView(gw));
  const address = await app.listen({ host: gw.config.adminHost, port: gw.config.adminPort });
  const port = (app.server.address() as { port: number }).port;
  return {
    url: address.replace('0.0.0.0', '127.0.0.1').replace('[::]', '127.0.0.1'),
    port,
    close: () => app.close(),
  };
}
