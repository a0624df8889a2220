/**
 * Cross-field checks the schema alone cannot express: roles and regions, duplicate names, mesh
 * reachability, port clashes, and arguments that conflict with the stack's target or delivery.
 * Each returns every problem it finds; none stops at the first.
 */
import type { StackIssue } from './issues';
import { keyPath } from './issues';
import { meshLinks, neighbours, unreachable } from './mesh';
import type { StackConfig } from './schema';

type Check = (c: StackConfig) => StackIssue[];

const duplicates: Check = (c) => {
  const out: StackIssue[] = [];
  for (const field of ['name', 'region'] as const) {
    const first = new Map<string, number>();
    c.clusters.forEach((cl, i) => {
      const v = cl[field];
      if (v === undefined) return;
      const j = first.get(v);
      if (j === undefined) first.set(v, i);
      else
        out.push({
          path: keyPath(['clusters', i, field]),
          message: `duplicate ${field === 'name' ? 'cluster name' : 'region'} '${v}' (already used by clusters[${j}])`,
        });
    });
  }
  return out;
};

const roles: Check = (c) => {
  const out: StackIssue[] = [];
  const hubs = c.clusters.filter((cl) => cl.role === 'hub');
  // A cluster whose role the schema rejected is already reported; counting hubs without it would
  // add a second, misleading complaint.
  const allRolesKnown = c.clusters.every((cl) => cl.role !== undefined);
  if (allRolesKnown && hubs.length !== 1) {
    out.push({
      path: keyPath(['clusters']),
      message: `expected exactly one cluster with role 'hub', found ${hubs.length}`,
    });
  }
  c.clusters.forEach((cl, i) => {
    if (cl.role !== 'edge') return;
    if (!cl.region)
      out.push({
        path: keyPath(['clusters', i, 'region']),
        message: 'missing required key (every edge cluster has a region)',
      });
    if (!cl.homesSources)
      out.push({
        path: keyPath(['clusters', i, 'homesSources']),
        message: 'missing required key (HOMES_SOURCES of this edge)',
      });
    if (!cl.providersSources)
      out.push({
        path: keyPath(['clusters', i, 'providersSources']),
        message: 'missing required key (PROVIDERS_SOURCES of this edge)',
      });
  });
  return out;
};

const mesh: Check = (c) => {
  const out: StackIssue[] = [];
  const names = c.clusters.map((cl, i) => cl.name ?? `clusters[${i}]`);
  const layout = c.mesh.layout;
  const links = c.mesh.links?.filter((l) => Array.isArray(l));
  if (layout === 'custom' && !links)
    out.push({
      path: keyPath(['mesh', 'links']),
      message: "missing required key (layout 'custom' lists its links)",
    });
  if (layout !== 'custom' && links)
    out.push({
      path: keyPath(['mesh', 'links']),
      message: `only used with layout 'custom' (layout is '${layout}')`,
    });
  (links ?? []).forEach(([a, b], i) => {
    [a, b].forEach((n, side) => {
      if (!names.includes(n))
        out.push({
          path: keyPath(['mesh', 'links', i, side]),
          message: `unknown cluster '${n}' (expected one of ${names.join(', ')})`,
        });
    });
    if (a === b)
      out.push({ path: keyPath(['mesh', 'links', i]), message: `a gateway cannot link to itself ('${a}')` });
  });
  const hub = c.clusters.find((cl) => cl.role === 'hub')?.name;
  const all = meshLinks({ layout, names, hub, links: layout === 'custom' ? links : undefined });
  for (const n of unreachable(all, names)) {
    out.push({
      path: keyPath(['mesh', layout === 'custom' ? 'links' : 'layout']),
      message: `gateway '${n}' is unreachable in layout '${layout}' (no path from '${names[0]}')`,
    });
  }
  if (c.target === 'existing') {
    c.clusters.forEach((cl, i) => {
      if (!cl.gatewayAddress && neighbours(cl.name, all, names).length > 0) {
        out.push({
          path: keyPath(['clusters', i, 'gatewayAddress']),
          message: `missing required key (gateway '${cl.name}' is unreachable: its peers cannot dial it on an existing cluster without an address)`,
        });
      }
    });
  }
  return out;
};

const ports: Check = (c) => {
  const out: StackIssue[] = [];
  const p = c.ports;
  // One pod network namespace never holds two listeners on one TCP port; the gateway's TLS
  // fallback listens on TCP at the QUIC port, so the gateway port counts as TCP too.
  const container: [keyof typeof p, number][] = [
    ['gateway', p.gateway],
    ['admin', p.admin],
  ];
  // The dashboard's pod serves its UI on PORT and the health endpoint on HEALTH_PORT.
  const dashboardPod: [keyof typeof p, number][] = [
    ['dashboard', p.dashboard],
    ['health', p.health],
  ];
  const nodePorts: [keyof typeof p, number][] = [
    ['dashboardNodePort', p.dashboardNodePort],
    ['gatewayNodePort', p.gatewayNodePort],
    ['adminNodePort', p.adminNodePort],
    ...(c.observability.enabled
      ? ([['grafanaNodePort', p.grafanaNodePort]] as [keyof typeof p, number][])
      : []),
  ];
  for (const group of [container, dashboardPod, nodePorts]) {
    const seen = new Map<number, string>();
    for (const [key, v] of group) {
      const other = seen.get(v);
      if (other)
        out.push({
          path: keyPath(['ports', key]),
          message: `port clash: ${v} is already used by ports.${other}`,
        });
      else seen.set(v, key);
    }
  }
  if (c.target === 'kind' && nodePorts.some(([, v]) => v === c.registry.hostPort)) {
    out.push({
      path: keyPath(['registry', 'hostPort']),
      message: `port clash: host port ${c.registry.hostPort} is also mapped by the hub cluster`,
    });
  }
  return out;
};

const targetAndDelivery: Check = (c) => {
  const out: StackIssue[] = [];
  c.clusters.forEach((cl, i) => {
    if (c.target === 'existing' && !cl.context) {
      out.push({
        path: keyPath(['clusters', i, 'context']),
        message: "missing required key (kubeconfig context of a cluster with target 'existing')",
      });
    }
    if (c.target === 'kind' && cl.context) {
      out.push({
        path: keyPath(['clusters', i, 'context']),
        message: "only used with target 'existing' (target is 'kind': the cluster is created)",
      });
    }
  });
  if (c.target === 'existing' && c.images && !c.images.registry) {
    out.push({
      path: keyPath(['images', 'registry']),
      message: "missing required key (target 'existing' has no local registry)",
    });
  }
  if (c.delivery === 'gitops' && !c.gitops) {
    out.push({
      path: keyPath(['gitops']),
      message: "missing required key (delivery 'gitops' needs a source)",
    });
  }
  return out;
};

export const CHECKS: readonly Check[] = [duplicates, roles, mesh, ports, targetAndDelivery];

export function crossChecks(c: StackConfig): StackIssue[] {
  return CHECKS.flatMap((check) => check(c));
}
