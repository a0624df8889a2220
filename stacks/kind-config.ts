/**
 * The kind cluster config and the registry wiring for one cluster (docs/pulumi.md, Components:
 * KindCluster and LocalRegistry). Pure, so the exact files kind and containerd read are unit-tested.
 */
import { stringify } from 'yaml';
import type { ClusterConfig, StackConfig } from './schema';

export const CLUSTER_LABEL = 'cortexiq.io/cluster';
export const ROLE_LABEL = 'cortexiq.io/role';
export const REGION_LABEL = 'topology.kubernetes.io/region';

export interface PortMapping {
  containerPort: number;
  hostPort: number;
  /** Host address the port listens on (kind's default is every interface, 0.0.0.0). */
  listenAddress: string;
  protocol: 'TCP' | 'UDP';
}

/**
 * Host ports of the hub: dashboard, gateway QUIC (UDP) and its TLS fallback (TCP), gateway admin.
 * They listen on `kind.listenAddress` (127.0.0.1 by default): the admin API has no token and the
 * dashboard and Grafana are for the laptop's user, not its network.
 */
export function hubPortMappings(c: StackConfig): PortMapping[] {
  const p = c.ports;
  const map = (port: number, protocol: 'TCP' | 'UDP'): PortMapping => ({
    containerPort: port,
    hostPort: port,
    listenAddress: c.kind.listenAddress,
    protocol,
  });
  const out = [
    map(p.dashboardNodePort, 'TCP'),
    map(p.gatewayNodePort, 'UDP'),
    map(p.gatewayNodePort, 'TCP'),
    map(p.adminNodePort, 'TCP'),
  ];
  if (c.observability.enabled) out.push(map(p.grafanaNodePort, 'TCP'));
  return out;
}

export function nodeLabels(cl: ClusterConfig): Record<string, string> {
  return {
    [CLUSTER_LABEL]: cl.name,
    [ROLE_LABEL]: cl.role,
    ...(cl.region ? { [REGION_LABEL]: cl.region } : {}),
  };
}

/** Registry host as the host (and so every image reference) names it. */
export function registryHost(c: StackConfig): string {
  return `localhost:${c.registry.hostPort}`;
}

/** Registry address on the kind network, as containerd inside the nodes reaches it. */
export function registryInNetwork(c: StackConfig): string {
  return `${c.registry.alias}:5000`;
}

export function kindConfig(c: StackConfig, cl: ClusterConfig): Record<string, unknown> {
  return {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    name: cl.name,
    nodes: [
      {
        role: 'control-plane',
        image: c.kind.nodeImage,
        labels: nodeLabels(cl),
        ...(cl.role === 'hub' ? { extraPortMappings: hubPortMappings(c) } : {}),
      },
    ],
    // containerd reads per-registry hosts.toml files from here (LocalRegistry writes them).
    containerdConfigPatches: [
      '[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"',
    ],
  };
}

export function renderKindConfig(c: StackConfig, cl: ClusterConfig): string {
  return stringify(kindConfig(c, cl));
}

/** `/etc/containerd/certs.d/<registryHost>/hosts.toml` on every node: pulls of localhost:<port> go to the registry container. */
export function registryHostsToml(c: StackConfig): string {
  return `[host."http://${registryInNetwork(c)}"]\n`;
}

/** The `local-registry-hosting` ConfigMap data of KEP-1755 (kube-public). */
export function localRegistryHosting(c: StackConfig): string {
  return stringify({
    host: registryHost(c),
    hostFromContainerRuntime: registryInNetwork(c),
    hostFromClusterNetwork: registryInNetwork(c),
    help: 'https://kind.sigs.k8s.io/docs/user/local-registry/',
  });
}
