/**
 * Mesh links per layout (docs/protocol.md §3): links are symmetric, so a link is an unordered pair,
 * stored as [a, b] in cluster order. full: every pair (6 for 4 gateways); ring: each cluster to the
 * next in config order (4 for 4); hub: every other cluster to the hub (3 for 4, the first seed's
 * hub-and-spoke); custom: the listed pairs.
 */
import type { Layout } from './schema';

export type MeshLink = readonly [string, string];

export interface MeshInput {
  layout: Layout;
  /** Cluster names in config order. */
  names: readonly string[];
  /** Name of the hub cluster (hub layout). */
  hub?: string;
  /** Pairs of the custom layout. */
  links?: readonly (readonly [string, string])[];
}

export function meshLinks({ layout, names, hub, links }: MeshInput): MeshLink[] {
  const order = new Map(names.map((n, i) => [n, i]));
  const norm = (a: string, b: string): MeshLink =>
    (order.get(a) ?? 0) <= (order.get(b) ?? 0) ? [a, b] : [b, a];
  const out = new Map<string, MeshLink>();
  const add = (a: string, b: string): void => {
    if (a === b) return;
    const l = norm(a, b);
    out.set(l.join('\u0000'), l);
  };
  switch (layout) {
    case 'full':
      names.forEach((a, i) => names.slice(i + 1).forEach((b) => add(a, b)));
      break;
    case 'ring':
      if (names.length === 2) add(names[0]!, names[1]!);
      else if (names.length > 2) names.forEach((a, i) => add(a, names[(i + 1) % names.length]!));
      break;
    case 'hub':
      if (hub) names.forEach((n) => add(hub, n));
      break;
    case 'custom':
      (links ?? []).forEach(([a, b]) => add(a, b));
      break;
  }
  return [...out.values()].sort(
    (x, y) => order.get(x[0])! - order.get(y[0])! || order.get(x[1])! - order.get(y[1])!,
  );
}

/** Neighbours of one gateway, in cluster order. */
export function neighbours(name: string, links: readonly MeshLink[], names: readonly string[]): string[] {
  const set = new Set(links.flatMap(([a, b]) => (a === name ? [b] : b === name ? [a] : [])));
  return names.filter((n) => set.has(n));
}

/** Clusters that no path reaches from the first cluster: an unreachable gateway in the layout. */
export function unreachable(links: readonly MeshLink[], names: readonly string[]): string[] {
  if (names.length <= 1) return [];
  const seen = new Set<string>([names[0]!]);
  const queue = [names[0]!];
  while (queue.length > 0) {
    const at = queue.shift()!;
    for (const n of neighbours(at, links, names)) {
      if (!seen.has(n)) {
        seen.add(n);
        queue.push(n);
      }
    }
  }
  return names.filter((n) => !seen.has(n));
}
