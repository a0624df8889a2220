/**
 * The topology a stack describes, derived once and shared by the Pulumi components, the GitOps
 * renderer and the local process launcher (`cortexiq up`). Pure: no Pulumi, no I/O.
 */
import { appEnv, gatewayEnv, GATEWAY_SERVICE, type EnvSpec } from './env';
import { meshLinks, neighbours, type MeshLink } from './mesh';
import { appsFor, DATABASE_APPS, runsPostgres, type AppName } from './placement';
import type { Layout, Role, StackConfig } from './schema';

export interface GatewayNode {
  /** `GATEWAY_ID`: the cluster name. */
  id: string;
  /** Ids of the gateways this one links to, in cluster order (symmetric: each link appears on both ends). */
  peers: readonly string[];
  /** Hub layout, on edges: the hub's id, dialled through HUB_GATEWAY_URL instead of MESH_PEERS. */
  hub?: string;
  env: EnvSpec;
}

export interface AppNode {
  app: AppName;
  cluster: string;
  /** Starts after PostgreSQL is ready (reads DATABASE_URL). */
  needsDatabase: boolean;
  env: EnvSpec;
}

export interface ClusterNode {
  name: string;
  role: Role;
  region?: string;
  /** kubeconfig context: `kind-<name>` on kind, the configured context on existing clusters. */
  context: string;
  gateway: GatewayNode;
  /** PostgreSQL runs here (the hub). */
  postgres: boolean;
  apps: readonly AppNode[];
}

export interface Topology {
  realm: string;
  layout: Layout;
  namespace: string;
  /** Name of the hub cluster. */
  hub: string;
  /** Every mesh link once, as [a, b] in cluster order. */
  links: readonly MeshLink[];
  clusters: readonly ClusterNode[];
}

export interface TopologyOptions {
  /** URL other gateways dial to reach gateway `id`. Default: the kind node's NodePort, or `https://<gatewayAddress>`. */
  peerUrl?: (id: string) => string;
  /** MACULA_URL of the apps of cluster `name`. Default: the in-cluster gateway Service. */
  clientUrl?: (cluster: string) => string;
  /** Admin API of gateway `id` as the hub's dashboard reaches it (GATEWAY_ADMIN_URLS). Default: `defaultAdminUrl`. */
  adminUrl?: (id: string) => string;
}

/** Address other clusters reach a gateway at, by default (the kind network resolves `<cluster>-control-plane`). */
export function defaultPeerUrl(c: StackConfig, id: string): string {
  const cl = c.clusters.find((x) => x.name === id);
  if (c.target === 'existing' && cl?.gatewayAddress) return `https://${cl.gatewayAddress}`;
  return `https://${id}-control-plane:${c.ports.gatewayNodePort}`;
}

/**
 * Admin API of gateway `id` as the hub's pods reach it, by default (docs/pulumi.md, Mesh addresses): the
 * hub's own through its in-cluster Service, every other one at the host the hub's gateway dials it at
 * (`defaultPeerUrl`) with the admin port: the kind node's admin NodePort, or `ports.admin` of the
 * LoadBalancer at `gatewayAddress` on existing clusters.
 */
export function defaultAdminUrl(c: StackConfig, hub: string, id: string): string {
  if (id === hub) return `http://${GATEWAY_SERVICE}:${c.ports.admin}`;
  const host = new URL(defaultPeerUrl(c, id)).hostname;
  const viaAddress = c.target === 'existing' && c.clusters.some((x) => x.name === id && x.gatewayAddress);
  return `http://${host}:${viaAddress ? c.ports.admin : c.ports.adminNodePort}`;
}

/**
 * Derives the whole topology: for each cluster its role, region, kube context, gateway (id, peer ids,
 * env) and placed apps (env), plus the mesh links. Pass `peerUrl`/`clientUrl`/`adminUrl` to map
 * gateways to other addresses (the local launcher maps ids to loopback ports).
 */
export function deriveTopology(c: StackConfig, opts: TopologyOptions = {}): Topology {
  const names = c.clusters.map((cl) => cl.name);
  const hub = c.clusters.find((cl) => cl.role === 'hub')!.name;
  const links = meshLinks({ layout: c.mesh.layout, names, hub, links: c.mesh.links });
  const peerUrl = opts.peerUrl ?? ((id: string) => defaultPeerUrl(c, id));
  // In a cluster, apps reach their gateway over QUIC (docs/pulumi.md, Mesh addresses), pinned by its peer id
  // (MACULA_QUIC_PEER_ID, derived from the gateway's MACULA_QUIC_KEY): QUIC identities are libp2p
  // keys with no CA path. The gateways link to each other over QUIC, authenticated by MESH_SECRET.
  const clientUrl = opts.clientUrl ?? (() => `https://${GATEWAY_SERVICE}:${c.ports.gateway}`);
  // The dashboard (on the hub) polls every gateway's admin API, the hub's own included.
  const adminUrls = names.map(opts.adminUrl ?? ((id: string) => defaultAdminUrl(c, hub, id)));

  const clusters = c.clusters.map((cl): ClusterNode => {
    const peers = neighbours(cl.name, links, names);
    const viaHub = c.mesh.layout === 'hub' && cl.name !== hub ? hub : undefined;
    const dialled = peers.filter((p) => p !== viaHub);
    const gateway: GatewayNode = {
      id: cl.name,
      peers,
      ...(viaHub ? { hub: viaHub } : {}),
      env: gatewayEnv(c, {
        id: cl.name,
        peerUrls: dialled.map(peerUrl),
        hubUrl: viaHub ? peerUrl(viaHub) : undefined,
      }),
    };
    const apps = appsFor(cl.role).map((app): AppNode => ({
      app,
      cluster: cl.name,
      needsDatabase: DATABASE_APPS.includes(app),
      env: appEnv(c, {
        app,
        maculaUrl: clientUrl(cl.name),
        region: cl.region,
        homesSources: cl.homesSources,
        providersSources: cl.providersSources,
        providersCount: cl.providersCount,
        adminUrls,
      }),
    }));
    return {
      name: cl.name,
      role: cl.role,
      ...(cl.region ? { region: cl.region } : {}),
      context: cl.context ?? `kind-${cl.name}`,
      gateway,
      postgres: runsPostgres(cl.role),
      apps,
    };
  });
  return { realm: c.realm, layout: c.mesh.layout, namespace: c.namespace, hub, links, clusters };
}
