/**
 * The order in which one cluster's workloads come up (docs/pulumi.md, Components: Order, as the seeds
 * require): PostgreSQL → gateway → apps on the hub, gateway → apps on edges; apps that read PostgreSQL also
 * wait for it directly. Pure, so the order is tested on its own; CortexIqCluster turns each step's `after`
 * into Pulumi `dependsOn` and the tests check the registered dependencies match.
 */
import type { AppName } from './placement';
import type { ClusterNode } from './topology';

export const POSTGRES_WORKLOAD = 'postgres';
export const GATEWAY_WORKLOAD = 'macula-gateway';

export type WorkloadName = typeof POSTGRES_WORKLOAD | typeof GATEWAY_WORKLOAD | AppName;

export interface WorkloadStep {
  workload: WorkloadName;
  /** Workloads that must be ready first, in this plan's order. */
  after: readonly WorkloadName[];
}

/** The cluster's workloads, each after everything it depends on. */
export function workloadOrder(node: ClusterNode): WorkloadStep[] {
  const steps: WorkloadStep[] = [];
  if (node.postgres) steps.push({ workload: POSTGRES_WORKLOAD, after: [] });
  steps.push({ workload: GATEWAY_WORKLOAD, after: node.postgres ? [POSTGRES_WORKLOAD] : [] });
  for (const app of node.apps) {
    const after: WorkloadName[] = [GATEWAY_WORKLOAD];
    if (app.needsDatabase && node.postgres) after.push(POSTGRES_WORKLOAD);
    steps.push({ workload: app.app, after });
  }
  return steps;
}
