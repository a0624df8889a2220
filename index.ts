/**
 * The Pulumi program: reads the typed stack, composes the mesh, exports the outputs (infra.md §6).
 * Everything it builds is derived from `stacks/` and wrapped in `components/`.
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
/** Per gateway: id, QUIC URL, admin URL. */
export const gateways = mesh.gateways;
export const meshLayout = config.mesh.layout;
export const meshLinks = mesh.meshLinks;
export const grafanaUrl = mesh.grafanaUrl;
export const delivery = config.delivery;
export const fluxVersion = config.flux.version;
