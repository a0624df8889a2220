/**
 * What the stack outputs say about each gateway, by where the reader stands (docs/pulumi.md
 * "Outputs"): `host*` URLs work from the machine that ran `pulumi up` (kind: only the hub's node
 * ports are mapped to it; existing clusters: the gateway's public address), `network*` URLs work
 * from inside the mesh's network (kind: any container on the docker network `kind`; existing: pods of
 * the same cluster). A URL that does not work from a place is absent, never guessed.
 */
import { defaultPeerUrl, GATEWAY_SERVICE, type StackConfig } from '../stacks';

export interface GatewayUrls {
  id: string;
  /** QUIC URL from the host (`https://…`; the TLS fallback is the same host and port, `tls://`). */
  hostQuicUrl?: string;
  /** Admin API from the host (bound to kind.listenAddress on kind; /metrics and /api/* need the admin token). */
  hostAdminUrl?: string;
  /** QUIC URL inside the network (kind network or the cluster). */
  networkQuicUrl: string;
  networkAdminUrl: string;
}

/** The host name the hub's kind port mappings are reached at from the host itself. */
export function kindHostName(c: StackConfig): string {
  const a = c.kind.listenAddress;
  if (a === '0.0.0.0' || a === '127.0.0.1' || a === '::' || a === '::1') return 'localhost';
  return a.includes(':') ? `[${a}]` : a;
}

export function gatewayUrls(c: StackConfig, cluster: string, hub: boolean): GatewayUrls {
  if (c.target === 'kind') {
    const node = new URL(defaultPeerUrl(c, cluster)).hostname;
    const host = kindHostName(c);
    return {
      id: cluster,
      ...(hub
        ? {
            hostQuicUrl: `https://${host}:${c.ports.gatewayNodePort}`,
            hostAdminUrl: `http://${host}:${c.ports.adminNodePort}`,
          }
        : {}),
      networkQuicUrl: `https://${node}:${c.ports.gatewayNodePort}`,
      networkAdminUrl: `http://${node}:${c.ports.adminNodePort}`,
    };
  }
  const quic = defaultPeerUrl(c, cluster);
  const svc = `${GATEWAY_SERVICE}.${c.namespace}.svc`;
  return {
    id: cluster,
    hostQuicUrl: quic,
    hostAdminUrl: `http://${new URL(quic).hostname}:${c.ports.admin}`,
    networkQuicUrl: `https://${svc}:${c.ports.gateway}`,
    networkAdminUrl: `http://${svc}:${c.ports.admin}`,
  };
}

/** Names a gateway is reached by: the in-cluster Service, the kind node, or its external address. */
export function gatewayDnsNames(c: StackConfig, cluster: string): string[] {
  const svc = [
    GATEWAY_SERVICE,
    `${GATEWAY_SERVICE}.${c.namespace}`,
    `${GATEWAY_SERVICE}.${c.namespace}.svc`,
    `${GATEWAY_SERVICE}.${c.namespace}.svc.cluster.local`,
  ];
  const cl = c.clusters.find((x) => x.name === cluster);
  const outside =
    c.target === 'kind'
      ? [`${cluster}-control-plane`, 'localhost']
      : cl?.gatewayAddress
        ? [cl.gatewayAddress.split(':')[0]!]
        : [];
  return [...svc, ...outside];
}

/**
 * IP addresses a gateway's certificate must name: on kind, the hub's host ports when they are bound
 * to one specific address (the TLS fallback at `hostQuicUrl` is then dialled by IP); on existing
 * clusters a `gatewayAddress` given as an IPv4 address.
 */
export function gatewayIpAddresses(c: StackConfig, cluster: string, hub: boolean): string[] {
  if (c.target === 'kind') return hub && kindHostName(c) !== 'localhost' ? [c.kind.listenAddress] : [];
  const host = c.clusters.find((x) => x.name === cluster)?.gatewayAddress?.split(':')[0];
  return host && /^\d+\.\d+\.\d+\.\d+$/.test(host) ? [host] : [];
}
