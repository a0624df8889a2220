/**
 * The network of `cortexiq up --netns` as data: one Linux network namespace per cluster, one veth
 * pair per mesh link (so a link is a real network path that can be cut on its own), and one veth
 * per namespace into the root namespace so this machine reaches the admin, client and health ports.
 * Pure — names and addresses only — so the layout is tested without root.
 *
 * Addresses (see docs/netns.md):
 * - 10.77.0.<i+1>/32     the cluster's own address (on its loopback): gateways dial each other there;
 * - 10.78.<p>.1-2/30     the two ends of mesh link p; the route to the peer's own address goes via it;
 * - 10.79.<run>.<4i+1-2>/30  the host link: root side .1, namespace side .2.
 * Nothing routes between namespaces except over the link veths: the root namespace does not forward
 * and no namespace has a default route, so a cut link can only be bypassed by the mesh itself.
 */
import type { MeshLink } from '../../stacks';
import { NetnsError } from './errors';

/** Every name this run makes starts with it, so a crashed run's leftovers can be found. */
export const NETNS_PREFIX = 'cq-';
/** Run ids keep concurrent runs (tests, a benchmark, a person) apart: names and host subnets. */
export const MAX_RUN_ID = 63;

export interface NetnsCluster {
  name: string;
  index: number;
  namespace: string;
  /** Own address inside the mesh (what peers dial). */
  meshAddress: string;
  /** The namespace's end of the host link: what this machine dials. */
  hostAddress: string;
  /** The root namespace's end of the host link. */
  rootAddress: string;
  /** Name of the host link's device in the root namespace (at most 15 characters). */
  rootDevice: string;
}

export interface NetnsLinkEnd {
  cluster: string;
  /** Device in this cluster's namespace. */
  device: string;
  /** Address of this end on the link's /30. */
  address: string;
}

export interface NetnsLink {
  /** `a` is the earlier cluster in config order (as in the stack's mesh links). */
  a: NetnsLinkEnd;
  b: NetnsLinkEnd;
}

export interface NetnsLayout {
  runId: number;
  clusters: NetnsCluster[];
  links: NetnsLink[];
}

export function checkRunId(runId: number): void {
  if (!Number.isInteger(runId) || runId < 0 || runId > MAX_RUN_ID) {
    throw new RangeError(`--netns-id: expected an integer from 0 to ${MAX_RUN_ID}, got ${runId}`);
  }
}

/** Namespace names of run `runId` start with this (`cq-3-`). */
export const runPrefix = (runId: number): string => `${NETNS_PREFIX}${runId}-`;

export function netnsLayout(
  runId: number,
  names: readonly string[],
  links: readonly MeshLink[],
): NetnsLayout {
  checkRunId(runId);
  if (names.length > 63) throw new RangeError(`--netns: at most 63 clusters, got ${names.length}`);
  if (links.length > 255) throw new RangeError(`--netns: at most 255 mesh links, got ${links.length}`);
  const index = new Map(names.map((n, i) => [n, i]));
  const clusters = names.map((name, i): NetnsCluster => ({
    name,
    index: i,
    namespace: `${runPrefix(runId)}${name}`,
    meshAddress: `10.77.0.${i + 1}`,
    hostAddress: `10.79.${runId}.${4 * i + 2}`,
    rootAddress: `10.79.${runId}.${4 * i + 1}`,
    rootDevice: `${NETNS_PREFIX}${runId}-h${i}`,
  }));
  const out = links.map(([a, b], p): NetnsLink => {
    const ia = index.get(a);
    const ib = index.get(b);
    if (ia === undefined || ib === undefined) throw new Error(`mesh link ${a}–${b} names an unknown cluster`);
    return {
      // Devices are named after the cluster at the other end: `cq-to-2` in cluster 0 leads to cluster 2.
      a: { cluster: a, device: `${NETNS_PREFIX}to-${ib}`, address: `10.78.${p}.1` },
      b: { cluster: b, device: `${NETNS_PREFIX}to-${ia}`, address: `10.78.${p}.2` },
    };
  });
  return { runId, clusters, links: out };
}

export function clusterOf(layout: NetnsLayout, name: string): NetnsCluster {
  const c = layout.clusters.find((x) => x.name === name);
  if (!c) {
    throw new Error(
      `no cluster '${name}' in this run; clusters: ${layout.clusters.map((x) => x.name).join(', ')}`,
    );
  }
  return c;
}

/** The link between two clusters (either order), or a message saying why there is none. */
export function linkBetween(layout: NetnsLayout, x: string, y: string): NetnsLink {
  clusterOf(layout, x);
  clusterOf(layout, y);
  if (x === y) throw new NetnsError(`a link joins two different clusters, got ${x} twice`);
  const link = layout.links.find(
    (l) => (l.a.cluster === x && l.b.cluster === y) || (l.a.cluster === y && l.b.cluster === x),
  );
  if (!link) {
    const list = layout.links.map((l) => `${l.a.cluster}–${l.b.cluster}`).join(', ');
    throw new NetnsError(`no mesh link between ${x} and ${y} in this run's layout; links: ${list}`);
  }
  return link;
}

/** The two ends of `link` seen from `cluster`: its own end and the far one. */
export function endsFrom(link: NetnsLink, cluster: string): { near: NetnsLinkEnd; far: NetnsLinkEnd } {
  return link.a.cluster === cluster ? { near: link.a, far: link.b } : { near: link.b, far: link.a };
}
