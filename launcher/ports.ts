/**
 * Loopback ports of the local run (docs/local-run.md). Each gateway listens on one port for QUIC (UDP) and
 * TLS (TCP), plus one admin HTTP port; the allocation is a pure function of the base port so the
 * summary, the tests and a second terminal all agree on where everything is.
 */
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { LaunchError } from './errors';

/** Everything binds to loopback only: development identities are never exposed to a network. */
export const LOOPBACK = '127.0.0.1';
export const DEFAULT_BASE_PORT = 19440;

export interface GatewayPorts {
  /** MACULA_GATEWAY_PORT: QUIC on UDP and TLS on TCP. */
  gateway: number;
  /** ADMIN_PORT: health, metrics, /api/*. */
  admin: number;
}

export interface PortClaim {
  port: number;
  protocols: readonly ('tcp' | 'udp')[];
  /** What will listen there, for the clash message. */
  owner: string;
}

export interface PortAllocation {
  gateways: Map<string, GatewayPorts>;
  /** HEALTH_PORT of each app, in the order asked for. */
  apps: number[];
}

/**
 * Gateways take `base … base+n-1` in cluster order, their admin APIs the next n ports, and the apps'
 * health servers (HEALTH_PORT) the ports after those: from 19440 with four clusters and seven apps,
 * gateways 19440–19443, admin 19444–19447, apps 19448–19454.
 */
export function allocatePorts(clusters: readonly string[], appCount: number, base: number): PortAllocation {
  const n = clusters.length;
  const used = 2 * n + appCount;
  if (!Number.isInteger(base) || base < 1024 || base + used - 1 > 65535) {
    throw new LaunchError(
      `--base-port: expected an integer from 1024 to ${65535 - used + 1} (${used} ports are used from it), got ${base}`,
    );
  }
  return {
    gateways: gatewayPorts(clusters, base),
    apps: Array.from({ length: appCount }, (_, i) => base + 2 * n + i),
  };
}

/** The gateways' share of `allocatePorts`, before the number of apps is known (not range-checked). */
export function gatewayPorts(clusters: readonly string[], base: number): Map<string, GatewayPorts> {
  return new Map(clusters.map((name, i) => [name, { gateway: base + i, admin: base + clusters.length + i }]));
}

/** The claims of the gateways' ports, for `assertPortsFree`. */
export function gatewayClaims(ports: ReadonlyMap<string, GatewayPorts>): PortClaim[] {
  return [...ports].flatMap(([cluster, p]) => [
    {
      port: p.gateway,
      protocols: ['udp', 'tcp'] as const,
      owner: `gateway ${cluster} (QUIC/UDP and TLS/TCP)`,
    },
    { port: p.admin, protocols: ['tcp'] as const, owner: `gateway ${cluster} admin HTTP` },
  ]);
}

function probeTcp(port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err));
    server.listen({ port, host: LOOPBACK, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

function probeUdp(port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', (err: NodeJS.ErrnoException) => {
      socket.close();
      resolve(err);
    });
    socket.bind({ port, address: LOOPBACK, exclusive: true }, () => socket.close(() => resolve(undefined)));
  });
}

/**
 * Binds each claimed port for a moment to find clashes before anything is spawned, so the error names
 * the port instead of surfacing as a gateway that died with EADDRINUSE. Every clash is listed.
 */
export async function assertPortsFree(claims: readonly PortClaim[]): Promise<void> {
  const problems: string[] = [];
  for (const claim of claims) {
    for (const protocol of claim.protocols) {
      const err = await (protocol === 'tcp' ? probeTcp(claim.port) : probeUdp(claim.port));
      if (!err) continue;
      const why =
        err.code === 'EADDRINUSE' ? 'is already in use' : `cannot be bound (${err.code ?? err.message})`;
      problems.push(`port ${claim.port}/${protocol} on ${LOOPBACK} ${why}; needed by ${claim.owner}`);
    }
  }
  if (problems.length > 0) {
    throw new LaunchError(
      `${problems.join('\n')}\nstop what holds ${problems.length > 1 ? 'them' : 'it'}, or choose another range with --base-port`,
    );
  }
}

/** The kernel's range for outgoing connections' local ports, when it can be read (Linux). */
function ephemeralRange(): [number, number] | undefined {
  try {
    const [lo, hi] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const range: [number, number] = [Number(lo), Number(hi)];
    return range.every(Number.isInteger) ? range : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A warning when claimed ports lie in the ephemeral range: free when checked, any outgoing
 * connection on this machine may take one before its server binds it (a health port was lost
 * that way in CI), so such a run can fail at random.
 */
export function ephemeralWarning(claims: readonly PortClaim[]): string | undefined {
  const range = ephemeralRange();
  if (!range) return undefined;
  const inside = claims.filter((c) => c.port >= range[0] && c.port <= range[1]).map((c) => c.port);
  if (inside.length === 0) return undefined;
  return `ports ${Math.min(...inside)}–${Math.max(...inside)} lie in the kernel's range for outgoing connections (${range[0]}–${range[1]}): one may be taken before it is bound; a --base-port below ${range[0]} avoids that`;
}
