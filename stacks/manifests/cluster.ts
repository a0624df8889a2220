/**
 * Every workload object of one cluster, split into the two Flux layers: `infrastructure`
 * (PostgreSQL on the hub, the gateway) and `apps` (the apps placed on the cluster).
 * The Pulumi components create the same objects in `direct` delivery; the renderer writes them.
 */
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IService } from 'kubernetes-models/v1/Service';
import type { StackConfig } from '../schema';
import type { ClusterNode } from '../topology';
import { appDeployment, dashboardService } from './app';
import { gatewayDataClaim, gatewayDeployment, gatewayService } from './gateway';
import { postgresService, postgresStatefulSet } from './postgres';

export type Workload = IDeployment | IStatefulSet | IService | IPersistentVolumeClaim;

export interface WorkloadGroup {
  /** `gateway`, `postgres` or the app name: one `base/<name>` folder in the rendered tree. */
  name: string;
  objects: Workload[];
}

export interface ClusterWorkloads {
  infrastructure: WorkloadGroup[];
  apps: WorkloadGroup[];
}

export function clusterWorkloads(c: StackConfig, node: ClusterNode): ClusterWorkloads {
  const infrastructure: WorkloadGroup[] = [];
  if (node.postgres)
    infrastructure.push({ name: 'postgres', objects: [postgresStatefulSet(c), postgresService(c)] });
  infrastructure.push({
    name: 'gateway',
    objects: [gatewayDataClaim(), gatewayDeployment(c, node.gateway), gatewayService(c)],
  });
  const apps = node.apps.map((a) => ({
    name: a.app,
    objects: a.app === 'dashboard' ? [appDeployment(c, a), dashboardService(c)] : [appDeployment(c, a)],
  }));
  return { infrastructure, apps };
}
