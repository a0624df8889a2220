/**
 * The whole stack: clusters (KinD or existing), local registry, images, mesh PKI and secrets, Flux,
 * then each cluster's workloads, and Observability on the hub. `index.ts` builds this from the typed
 * stack and exports its outputs.
 *
 * What waits for what (docs/pulumi.md "Lifecycle"): images wait for the registry container only;
 * a cluster's workloads wait for that cluster's registry wiring only, never for Flux; under GitOps
 * Flux's Kustomizations wait for the namespace and Secrets the rendered workloads reference.
 */
import * as pulumi from '@pulumi/pulumi';
import { deriveTopology, type SecretKey, type StackConfig, type Topology } from '../stacks';
import { CortexIqCluster } from './cortexiq-cluster';
import {
  gatewayDnsNames,
  gatewayIpAddresses,
  gatewayUrls,
  kindHostName,
  type GatewayUrls,
} from './endpoints';
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

export interface GatewayEndpoint extends GatewayUrls {
  /** The gateway's QUIC peer id: what a client outside the cluster pins (MACULA_QUIC_PEER_ID). */
  quicPeerId: pulumi.Output<string>;
}

export interface FluxOutput {
  cluster: string;
  /** Flux version of the installed chart, as Helm reports it (the chart's appVersion). */
  version: pulumi.Output<string>;
}

/**
 * Every object Pulumi puts on a kind cluster is deleted with the cluster: `destroy` deletes the
 * cluster instead of uninstalling each object from it first. (A transformation, because children
 * inherit it; the `deletedWith` option itself is not inherited.)
 */
function deletedWithCluster(created: pulumi.Resource): pulumi.ResourceTransformation {
  return (args) =>
    args.type.startsWith('kubernetes:') && !args.type.startsWith('pulumi:providers:')
      ? { props: args.props, opts: pulumi.mergeOptions(args.opts, { deletedWith: created }) }
      : undefined;
}

export class CortexIqMesh extends pulumi.ComponentResource {
  readonly topology: Topology;
  readonly clusters: ClusterOutput[];
  readonly registry?: string;
  readonly dashboardUrl: string;
  readonly gateways: GatewayEndpoint[];
  readonly meshLinks: string[];
  readonly grafanaUrl?: string;
  /** Grafana's admin password (secret); user `admin`. */
  readonly grafanaPassword?: pulumi.Output<string>;
  /** Flux per cluster, as installed (empty with `flux.install: existing`). */
  readonly flux: FluxOutput[] = [];

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
    const onCluster = (i: number): pulumi.ComponentResourceOptions => {
      const a = access[i]!;
      return a instanceof KindCluster
        ? { parent: this, transformations: [deletedWithCluster(a.created)] }
        : { parent: this };
    };

    let registry: LocalRegistry | undefined;
    if (kind) {
      const kinds = access as KindCluster[];
      registry = new LocalRegistry(
        `${name}-registry`,
        {
          config: c,
          clusters: kinds.map((k) => ({ name: k.clusterName, provider: k.provider, created: k.created })),
        },
        { parent: this },
      );
      this.registry = registry.address;
    }
    const images =
      (c.images.build ?? kind)
        ? new Images(
            `${name}-images`,
            { config: c, context: args.projectRoot, after: registry ? [registry.container] : [] },
            { parent: this },
          )
        : undefined;

    const secrets = new StackSecrets(`${name}-secrets`, { provided: args.secrets ?? {} }, { parent: this });
    const pki = new MeshPki(
      `${name}-pki`,
      {
        realm: c.realm,
        gateways: topo.clusters.map((n) => ({
          id: n.gateway.id,
          dnsNames: gatewayDnsNames(c, n.name),
          ipAddresses: gatewayIpAddresses(c, n.name, n.role === 'hub'),
        })),
      },
      { parent: this },
    );

    topo.clusters.forEach((node, i) => {
      const provider = access[i]!.provider;
      const tls = pki.gateways[node.gateway.id]!;
      const workloads = new CortexIqCluster(
        `${name}-${node.name}`,
        {
          config: c,
          node,
          provider,
          secrets: secrets.values,
          revisionKey: secrets.revisionKey,
          tls: { ...tls, ca: pki.caCert },
          images: images?.refs,
          after: registry?.pullReady(node.name) ?? [],
        },
        onCluster(i),
      );
      const flux = new Flux(
        `${name}-${node.name}-flux`,
        {
          config: c,
          cluster: node.name,
          provider,
          workloadPrerequisites: workloads.prerequisites,
          passwordRevision: workloads.passwordRevision,
        },
        onCluster(i),
      );
      if (flux.release) this.flux.push({ cluster: node.name, version: flux.release.status.appVersion });
    });

    const hubIndex = topo.clusters.findIndex((n) => n.role === 'hub');
    if (c.observability.enabled) {
      const obs = new Observability(
        `${name}-observability`,
        { config: c, provider: access[hubIndex]!.provider, adminToken: secrets.values.adminToken },
        onCluster(hubIndex),
      );
      this.grafanaUrl = obs.grafanaUrl;
      this.grafanaPassword = obs.grafanaPassword;
    }

    this.clusters = topo.clusters.map((n, i) => ({
      name: n.name,
      role: n.role,
      ...(n.region ? { region: n.region } : {}),
      context: n.context,
      ...(access[i] instanceof KindCluster ? { kubeconfig: (access[i] as KindCluster).kubeconfig } : {}),
    }));
    this.dashboardUrl = kind
      ? `http://${kindHostName(c)}:${c.ports.dashboardNodePort}`
      : `https://${c.dashboardHost}`;
    this.gateways = topo.clusters.map((n) => ({
      ...gatewayUrls(c, n.name, n.role === 'hub'),
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
