/**
 * The Pulumi program: reads the typed stack, composes the mesh, exports the outputs (docs/pulumi.md,
 * Outputs). Everything it builds is derived from `stacks/` and wrapped in `components/`.
 */
import { CortexIqMesh } from './components/cortexiq-mesh';
import { readStack } from './components/read-stack';

const { config, secrets } = readStack();
const mesh = new CortexIqMesh('cortex-iq', { config, secrets, projectRoot: __dirname });

/** Per cluster: name, role, region, kubeconfig context, kubeconfig (secret, kind only). */
export const clusters = mesh.clusters;
/** Address images are pushed to (kind), absent on existing clusters. */
export const registry = mesh.registry;
export const dashboardUrl = mesh.dashboardUrl;
/**
 * Per gateway: id, QUIC peer id, and URLs by where the reader stands: host* from this machine (absent
 * where no port reaches it), network* from the kind network or inside the cluster.
 */
export const gateways = mesh.gateways;
export const meshLayout = config.mesh.layout;
export const meshLinks = mesh.meshLinks;
export const grafanaUrl = mesh.grafanaUrl;
/** Grafana's admin password (secret): `pulumi stack output grafanaPassword --show-secrets`; user admin. */
export const grafanaPassword = mesh.grafanaPassword;
export const delivery = config.delivery;
/** Per cluster, the Flux version Helm installed (the chart's appVersion), not the config's claim. */
export const flux = mesh.flux;
