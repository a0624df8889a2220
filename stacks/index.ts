/**
 * The typed stack model: the one public entry of `stacks/`. The Pulumi program, `cortexiq render`
 * and the local launcher (`cortexiq up`) import from here and nowhere deeper.
 *
 * For the local launcher:
 *   const { config } = loadStackFile('dev');                  // Pulumi.dev.yaml, validated, frozen
 *   const topo = deriveTopology(config, { peerUrl, clientUrl, adminUrl }); // map gateway ids to loopback URLs
 *   topo.clusters[i] = { name, role, region?, context, postgres,
 *                        gateway: { id, peers: [ids], hub?: id, env: { plain, secret } },
 *                        apps: [{ app, cluster, needsDatabase, env: { plain, secret } }] }
 *   topo.links = [[a, b], …]  (each mesh link once)
 * `env.secret` names the variables whose values are secret (MACULA_TOKEN, MESH_SECRET, MACULA_TLS_*,
 * DATABASE_URL, SECRET_KEY_BASE, ADMIN_TOKEN, GATEWAY_ADMIN_TOKEN) as Kubernetes Secret references; a
 * launcher fills them itself.
 */
export {
  NAMESPACE,
  SECRET_KEYS,
  KIND_NODE_IMAGE,
  PLATFORMS,
  ROLES,
  LAYOUTS,
  stackSchema,
  type StackConfig,
  type ClusterConfig,
  type Role,
  type Layout,
  type SecretKey,
} from './schema';
export { StackConfigError, type StackIssue } from './issues';
export { parseStackConfig } from './parse';
export { loadStackFile, rawFromConfigMap, stackFile, type LoadedStack } from './load';
export { meshLinks, neighbours, unreachable, type MeshLink } from './mesh';
export {
  APPS,
  IMAGES,
  appsFor,
  runsPostgres,
  DATABASE_APPS,
  type AppName,
  type ImageName,
} from './placement';
export {
  SECRETS,
  GATEWAY_SERVICE,
  POSTGRES_SERVICE,
  DATABASE_NAME,
  DATABASE_USER,
  databaseUrl,
  gatewayEnv,
  appEnv,
  type EnvSpec,
  type SecretRef,
} from './env';
export {
  deriveTopology,
  defaultPeerUrl,
  defaultAdminUrl,
  type Topology,
  type ClusterNode,
  type GatewayNode,
  type AppNode,
  type TopologyOptions,
} from './topology';
export {
  kindConfig,
  renderKindConfig,
  hubPortMappings,
  nodeLabels,
  registryHost,
  registryInNetwork,
  registryHostsToml,
  localRegistryHosting,
  CLUSTER_LABEL,
  ROLE_LABEL,
  REGION_LABEL,
  type PortMapping,
} from './kind-config';
export {
  imageRef,
  imageRepository,
  envList,
  labels,
  databasePasswordAnnotations,
  DATABASE_PASSWORD_ANNOTATION,
  DATABASE_PASSWORD_REVISION_VAR,
} from './manifests/common';
export { gatewayDataClaim, gatewayDeployment, gatewayService } from './manifests/gateway';
export { postgresStatefulSet, postgresService } from './manifests/postgres';
export { appDeployment, dashboardService, scrapeAnnotations, HEALTH_PORT_NAME } from './manifests/app';
export {
  clusterWorkloads,
  type ClusterWorkloads,
  type Workload,
  type WorkloadGroup,
} from './manifests/cluster';
export {
  fluxSource,
  fluxKustomizations,
  fluxHelmValues,
  layerPath,
  FLUX_NAMESPACE,
  FLUX_CONTROLLERS,
  SOURCE_NAME,
  REVISIONS_CONFIGMAP,
} from './manifests/flux';
export { renderGitOpsTree, type Tree } from './gitops';
export {
  prometheusValues,
  edgeGatewayTargets,
  grafanaValues,
  meshDashboard,
  meshDashboardConfigMap,
  MONITORING_NAMESPACE,
  GRAFANA_ADMIN_SECRET,
} from './manifests/observability';
export {
  workloadOrder,
  POSTGRES_WORKLOAD,
  GATEWAY_WORKLOAD,
  type WorkloadStep,
  type WorkloadName,
} from './order';
export {
  kindCreateScript,
  kindDeleteScript,
  registryRunScript,
  registryDeleteScript,
  networkAttachScript,
  networkDetachScript,
  hostsTomlScript,
  registrySettings,
  settingsDigest,
  shq,
  KIND_MARKER,
  REGISTRY_LABEL,
  REGISTRY_IMAGE,
} from './kind-commands';
export { imagePlatform, type Platform } from './platform';
