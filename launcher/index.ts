/**
 * The local launcher (`cortexiq up`, docs/local-run.md): the four-cluster topology of a stack as local
 * processes on loopback. This file lists what is public; the CLI and the tests import from here.
 */
export { LaunchError } from './errors';
export {
  allocatePorts,
  assertPortsFree,
  ephemeralWarning,
  gatewayClaims,
  DEFAULT_BASE_PORT,
  LOOPBACK,
  type GatewayPorts,
  type PortClaim,
} from './ports';
export { generateLocalSecrets, fillSecrets, type LocalSecrets } from './local-env';
export {
  planLocalRun,
  stagesOf,
  STAGES,
  LOCAL_LAYOUTS,
  type LocalPlan,
  type PlanOptions,
  type DatabaseChoice,
  DEFAULT_DASHBOARD_PORT,
  type ProcessSpec,
  type GatewayEndpoint,
  type SkippedPart,
  type Transport,
  type LocalLayout,
} from './plan';
export { MAX_HOMES_PER_REGION, writeGeneratedHomes } from './homes-files';
export { LocalRun, type LaunchOptions, type StopReport } from './launcher';
export { parseChildLine, formatChildLine, InfoSummary } from './log-format';
export { childEnv, CLI_ENTRY } from './child';
export { projectRoot } from './project-root';
