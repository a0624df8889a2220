/**
 * Which app runs where (docs/domain.md, "Topology and placement"): the hub runs the gateway, simulation,
 * projections, queries, dashboard and PostgreSQL; every edge runs the gateway, homes and utilities of its
 * region.
 */
import type { Role } from './schema';

export const APPS = ['simulation', 'homes', 'utilities', 'projections', 'queries', 'dashboard'] as const;
export type AppName = (typeof APPS)[number];

/** Every image the project builds: the gateway and the six apps (targets of the one Dockerfile). */
export const IMAGES = ['gateway', ...APPS] as const;
export type ImageName = (typeof IMAGES)[number];

const BY_ROLE: Record<Role, readonly AppName[]> = {
  hub: ['simulation', 'projections', 'queries', 'dashboard'],
  edge: ['homes', 'utilities'],
};

export function appsFor(role: Role): readonly AppName[] {
  return BY_ROLE[role];
}

/** PostgreSQL runs on the hub only. */
export function runsPostgres(role: Role): boolean {
  return role === 'hub';
}

/** Apps that read PostgreSQL (`DATABASE_URL`) and so start after it. */
export const DATABASE_APPS: readonly AppName[] = ['projections', 'queries', 'dashboard'];

/** Resource requests and limits per app: small enough that four kind clusters fit on a laptop. */
export const APP_RESOURCES: Record<
  AppName | 'gateway' | 'postgres',
  { cpu: string; memory: string; cpuLimit: string; memoryLimit: string }
> = {
  gateway: { cpu: '100m', memory: '128Mi', cpuLimit: '1', memoryLimit: '512Mi' },
  postgres: { cpu: '100m', memory: '256Mi', cpuLimit: '1', memoryLimit: '1Gi' },
  simulation: { cpu: '50m', memory: '96Mi', cpuLimit: '500m', memoryLimit: '256Mi' },
  homes: { cpu: '100m', memory: '128Mi', cpuLimit: '1', memoryLimit: '512Mi' },
  utilities: { cpu: '50m', memory: '96Mi', cpuLimit: '500m', memoryLimit: '256Mi' },
  projections: { cpu: '100m', memory: '128Mi', cpuLimit: '1', memoryLimit: '512Mi' },
  queries: { cpu: '50m', memory: '96Mi', cpuLimit: '500m', memoryLimit: '256Mi' },
  dashboard: { cpu: '100m', memory: '128Mi', cpuLimit: '1', memoryLimit: '512Mi' },
};
