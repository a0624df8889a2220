/**
 * Admin HTTP API (docs/protocol.md §5): health, readiness, liveness, Prometheus metrics and JSON views of
 * peers, topology, subscriptions and registrations. Optional bearer token (ADMIN_TOKEN) on
 * everything but the probes; without one, only loopback may use anything but the probes (the
 * probes must stay reachable from the kubelet on the pod address, so the listener itself cannot
 * move to loopback by default). Eight fixed GET routes: plain node:http serves them without the
 * ~15 MB a web framework adds to every gateway's resident memory.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Gateway } from '../gateway';
import { createMetrics } from './metrics';
import { sameSecret } from '../core/secret-compare';
import { peersView, registrationsView, subscriptionsView, topologyView } from './views';

export interface AdminServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

type Route = (gw: Gateway) => Promise<{ status: number; body: unknown; type?: string }>;

const PROBES = new Set(['/health', '/live', '/ready']);

function routes(gw: Gateway): Record<string, Route> {
  const registry = createMetrics(gw);
  const json = (body: unknown, status = 200) => Promise.resolve({ status, body });
  return {
    '/health': () =>
      json({
        status: 'ok',
        gateway_id: gw.gatewayId,
        realm: gw.config.realm,
        uptime_s: Math.round((Date.now() - gw.epoch) / 1000),
      }),
    '/live': () => json({ status: 'alive' }),
    '/ready': () =>
      gw.ready
        ? json({ status: 'ready' })
        : json(
            {
              status: 'starting',
              peers_tried: gw.dialers.filter((d) => d.attempts > 0).length,
              peers: gw.dialers.length,
            },
            503,
          ),
    '/metrics': async () => ({ status: 200, body: await registry.metrics(), type: registry.contentType }),
    '/api/peers': () => json(peersView(gw)),
    '/api/topology': () => json(topologyView(gw)),
    '/api/subscriptions': () => json(subscriptionsView(gw)),
    '/api/registrations': () => json(registrationsView(gw)),
  };
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  type = 'application/json; charset=utf-8',
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Why a request may not use `path`, if it may not. Probes stay open so Kubernetes can use them
 * without the token; the rest needs the bearer token, or, when none is configured, a loopback caller.
 */
export function accessRefusal(
  path: string,
  token: string | undefined,
  authorization: string | undefined,
  remoteAddress: string | undefined,
): { status: number; body: { error: string; message: string } } | undefined {
  if (PROBES.has(path)) return undefined;
  if (token) {
    if (sameSecret(authorization, `Bearer ${token}`)) return undefined;
    return { status: 401, body: { error: 'unauthorized', message: 'missing or wrong bearer token' } };
  }
  if (isLoopback(remoteAddress)) return undefined;
  return {
    status: 403,
    body: {
      error: 'forbidden',
      message:
        'without ADMIN_TOKEN the admin API answers loopback only; set ADMIN_TOKEN to reach it remotely',
    },
  };
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4 === '::1' || v4.startsWith('127.');
}

export async function startAdmin(gw: Gateway): Promise<AdminServer> {
  const table = routes(gw);
  const token = gw.config.adminToken;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = table[path];
    if (!route) return send(res, 404, { error: 'not_found', message: `no route ${path}` });
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, { error: 'method_not_allowed', message: 'only GET' });
    const refused = accessRefusal(path, token, req.headers.authorization, req.socket.remoteAddress);
    if (refused) return send(res, refused.status, refused.body);
    route(gw).then(
      (r) => send(res, r.status, r.body, r.type),
      (err: Error) => send(res, 500, { error: 'internal', message: err.message }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(gw.config.adminPort, gw.config.adminHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host =
    gw.config.adminHost === '0.0.0.0' || gw.config.adminHost === '::' ? '127.0.0.1' : gw.config.adminHost;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
