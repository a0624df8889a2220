/**
 * The whole stack: clusters (KinD or existing), local registry, images, mesh PKI and secrets, Flux,
 * then each cluster's workloads, and Observability on the hub. `index.ts` builds this from the typed
 * stack and exports its outputs.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import {
  defaultPeerUrl,
  deriveTopology,
  GATEWAY_SERVICE,
  type SecretKey,
  type StackConfig,
  type Topology,
} from '../stacks';
import { CortexIqCluster } from './cortexiq-cluster';
import { ExistingCluster } from './existing-cluster';
import { Flux } from './flux';
import { Images } from './images';
import { KindCluster } from './kind-cluster';
import { LocalRegistry } from './local-registry';
import { MeshPki } from './mesh-pki';
import { Observability } from './observability';
import { StackSecrets } from './stack-secrets';

export interface CortexIqMeshArgs {
  /** The typed, validated stack. */
  config: StackConfig;
  /** Secrets set in the stack config; the others are generated. */
  secrets?: Partial<Record<SecretKey, pulumi.Output<string>>>;
  /** Repository root: the Docker build context. */
  projectRoot: string;
}

export interface ClusterOutput {
  name: string;
  role: string;
  region?: string;
  context: string;
  kubeconfig?: pulumi.Output<string>;
}

export interface GatewayEndpoint {
  id: string;
  /** QUIC URL (`https://host:port`); the TLS fallback is the same host and port with `tls://`. */
  quicUrl: string;
  adminUrl: string;
  /** The gateway's QUIC peer id: what a client outside the cluster pins (MACULA_QUIC_PEER_ID). */
  quicPeerId: pulumi.Output<string>;
}

export class CortexIqMesh extends pulumi.ComponentResource {
  readonly topology: Topology;
  readonly clusters: ClusterOutput[];
  readonly registry?: string;
  readonly dashboardUrl: string;
  readonly gateways: GatewayEndpoint[];
  readonly meshLinks: string[];
  readonly grafanaUrl?: string;

  constructor(name: string, args: CortexIqMeshArgs, opts?: pulumi.ComponentResourceOptions) {
    super('cortex-iq:index:CortexIqMesh', name, {}, opts);
    const c = args.config;
    const topo = deriveTopology(c);
    this.topology = topo;
    const kind = c.target === 'kind';

    const access = c.clusters.map((cl) =>
      kind
        ? new KindCluster(`${name}-${cl.name}`, { config: c, cluster: cl }, { parent: this })
        : new ExistingCluster(`${name}-${cl.name}`, { cluster: cl }, { parent: this }),
    );
    const providerOf = (i: number): k8s.Provider => access[i]!.provider;

    let after: pulumi.Resource[] = [];
    let images: Images | undefined;
    if (kind) {
      const kinds = access as KindCluster[];
      const registry = new LocalRegistry(
        `${name}-registry`,
        {
          config: c,
          clusters: kinds.map((k) => ({ name: k.clusterName, provider: k.provider, created: k.created })),
        },
        { parent: this },
      );
      this.registry = registry.address;
      after = [registry];
    }
    if (c.images.build ?? kind) {
      images = new Images(
        `${name}-images`,
        { config: c, context: args.projectRoot, after },
        { parent: this },
      );
    }

    const secrets = new StackSecrets(`${name}-secrets`, { provided: args.secrets ?? {} }, { parent: this });
    const pki = new MeshPki(
      `${name}-pki`,
      {
        realm: c.realm,
        gateways: topo.clusters.map((n) => ({ id: n.gateway.id, dnsNames: gatewayDnsNames(c, n.name) })),
      },
      { parent: this },
    );

    topo.clusters.forEach((node, i) => {
      const provider = providerOf(i);
      const flux = new Flux(
        `${name}-${node.name}-flux`,
        { config: c, cluster: node.name, provider },
        { parent: this, dependsOn: after },
      );
      const tls = pki.gateways[node.gateway.id]!;
      new CortexIqCluster(
        `${name}-${node.name}`,
        {
          config: c,
          node,
          provider,
          secrets: secrets.values,
          tls: { ...tls, ca: pki.caCert },
          images: images?.refs,
          after: [...after, flux],
        },
        { parent: this },
      );
    });

    const hubIndex = topo.clusters.findIndex((n) => n.role === 'hub');
    if (c.observability.enabled) {
      const obs = new Observability(
        `${name}-observability`,
        { config: c, provider: providerOf(hubIndex) },
        { parent: this, dependsOn: after },
      );
      this.grafanaUrl = obs.grafanaUrl;
    }

    this.clusters = topo.clusters.map((n, i) => ({
      name: n.name,
      role: n.role,
      ...(n.region ? { region: n.region } : {}),
      context: n.context,
      ...(access[i] instanceof KindCluster ? { kubeconfig: (access[i] as KindCluster).kubeconfig } : {}),
    }));
    this.dashboardUrl = kind ? `http://localhost:${c.ports.dashboardNodePort}` : `https://${c.dashboardHost}`;
    this.gateways = topo.clusters.map((n) => ({
      ...gatewayEndpoint(c, n.name, n.role === 'hub'),
      quicPeerId: pki.gateways[n.gateway.id]!.quicPeerId,
    }));
    this.meshLinks = topo.links.map(([a, b]) => `${a} <-> ${b}`);
    this.registerOutputs({
      clusters: this.clusters,
      registry: this.registry,
      dashboardUrl: this.dashboardUrl,
      gateways: this.gateways,
      meshLinks: this.meshLinks,
    });
  }
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

/** Endpoints from where an operator stands: the hub's node ports are mapped to localhost on kind. */
export function gatewayEndpoint(
  c: StackConfig,
  cluster: string,
  hub: boolean,
): Omit<GatewayEndpoint, 'quicPeerId'> {
  if (c.target === 'kind' && hub) {
    return {
      id: cluster,
      quicUrl: `https://localhost:${c.ports.gatewayNodePort}`,
      adminUrl: `http://localhost:${c.ports.adminNodePort}`,
    };
  }
  const quicUrl = defaultPeerUrl(c, cluster);
  const host = new URL(quicUrl).hostname;
  return {
    id: cluster,
    quicUrl,
    adminUrl:
      c.target === 'kind' ? `http://${host}:${c.ports.adminNodePort}` : `http://${host}:${c.ports.admin}`,
  };
}
