/**
 * Link-state database and routes (docs/protocol.md §3). Every gateway floods an advertisement (LSA) of
 * its live links, its local subscription patterns and its registered procedures, tagged with its
 * id, a process epoch and a version. From the same database every gateway computes the same graph;
 * an edge counts only when both ends list each other, so a dead gateway's stale LSA cannot attract
 * traffic. The one exception is the first hop: our own live links are known first-hand, so the
 * peer at the other end is reachable over its link as soon as it is up, before its advertisement
 * confirms the link (otherwise a new link's first messages would have no route); but only for
 * itself: what lies beyond it is reached over confirmed edges only (through it from another side,
 * or not at all). Routes are shortest paths (BFS), ties broken by gateway id, so they are
 * deterministic.
 */
import { matches } from '../protocol/topics';

export interface Lsa {
  origin: string;
  epoch: number;
  version: number;
  neighbors: string[];
  patterns: string[];
  procedures: string[];
}

export function newer(a: Lsa, b: Lsa | undefined): boolean {
  if (!b) return true;
  return a.epoch > b.epoch || (a.epoch === b.epoch && a.version > b.version);
}

export class LinkStateDb {
  readonly entries = new Map<string, Lsa>();
  /**
   * Since when each known gateway has been unreachable (absent while reachable). Expiry counts from
   * this moment, not from the last topology change: a cut on a mesh that has been stable for longer
   * than the window must still get the whole window (docs/loss.md).
   */
  private readonly unreachableSince = new Map<string, number>();
  private nextHops = new Map<string, string>();
  private distances = new Map<string, number>();
  private interestCache = new Map<string, string[]>();
  /** Our live links when the owner reports them (setOwnLinks); until then, our LSA's two-way ones. */
  private ownLinks: readonly string[] | undefined;
  /** Bumped on every change, so callers can cache derived answers. */
  generation = 0;

  constructor(readonly self: string) {}

  /** Store `lsa` if it is newer than what we hold. Returns true when the database changed. */
  apply(lsa: Lsa): boolean {
    if (!newer(lsa, this.entries.get(lsa.origin))) return false;
    this.entries.set(lsa.origin, lsa);
    this.recompute();
    return true;
  }

  /** Our live links changed: they are the first hops from now on. */
  setOwnLinks(ids: Iterable<string>): void {
    const next = [...ids].sort();
    const prev = this.ownLinks;
    if (prev && prev.length === next.length && prev.every((id, i) => id === next[i])) return;
    this.ownLinks = next;
    this.recompute();
  }

  private recompute(): void {
    this.generation++;
    this.interestCache = new Map();
    const hops = new Map<string, string>();
    const dist = new Map<string, number>([[this.self, 0]]);
    // BFS from self; neighbours visited in id order, so ties resolve the same way everywhere.
    let frontier = [this.self];
    const unconfirmed: string[] = [];
    if (this.ownLinks) {
      // Our live links reach their peers at once, but the search goes on from a peer over its link
      // only once its advertisement lists us back: until then that advertisement may be stale (from
      // before a flap), and following it could send traffic back and forth between two gateways.
      frontier = [];
      for (const n of this.ownLinks) {
        if (this.entries.get(n)?.neighbors.includes(this.self)) {
          dist.set(n, 1);
          hops.set(n, n);
          frontier.push(n);
        } else unconfirmed.push(n);
      }
    }
    this.breadthFirst(frontier, dist, hops);
    // An unconfirmed peer is reached over its link, but only for itself: it stays out of the
    // search above, so a confirmed path through it from another gateway still counts for what
    // lies beyond it (marking it at distance 1 first would have cut that path off).
    for (const n of unconfirmed) {
      dist.set(n, 1);
      hops.set(n, n);
    }
    this.nextHops = hops;
    this.distances = dist;
    const now = Date.now();
    for (const id of this.entries.keys()) {
      if (dist.has(id)) this.unreachableSince.delete(id);
      else if (!this.unreachableSince.has(id)) this.unreachableSince.set(id, now);
    }
  }

  /** Shortest paths over two-way edges from `frontier` on, visiting neighbours in id order. */
  private breadthFirst(start: string[], dist: Map<string, number>, hops: Map<string, string>): void {
    let frontier = start;
    while (frontier.length > 0) {
      const next: string[] = [];
      for (const node of frontier) {
        for (const n of this.twoWayNeighbors(node)) {
          if (dist.has(n)) continue;
          dist.set(n, dist.get(node)! + 1);
          hops.set(n, node === this.self ? n : hops.get(node)!);
          next.push(n);
        }
      }
      frontier = next.sort();
    }
  }

  /** Since when `dest` has been unreachable; undefined while it is reachable or unknown. */
  unreachableFor(dest: string, now = Date.now()): number | undefined {
    const since = this.unreachableSince.get(dest);
    return since === undefined ? undefined : now - since;
  }

  private twoWayNeighbors(node: string): string[] {
    const lsa = this.entries.get(node);
    if (!lsa) return [];
    return lsa.neighbors.filter((n) => this.entries.get(n)?.neighbors.includes(node)).sort();
  }

  nextHop(dest: string): string | undefined {
    return this.nextHops.get(dest);
  }

  reachable(dest: string): boolean {
    return this.distances.has(dest);
  }

  distance(dest: string): number | undefined {
    return this.distances.get(dest);
  }

  /** Other gateways (reachable or recently so) with a pattern matching `topic`. Cached per topic. */
  interestedIn(topic: string): readonly string[] {
    const cached = this.interestCache.get(topic);
    if (cached) return cached;
    const out: string[] = [];
    for (const lsa of this.entries.values()) {
      if (lsa.origin === this.self) continue;
      if (lsa.patterns.some((p) => matches(p, topic))) out.push(lsa.origin);
    }
    if (this.interestCache.size > 10_000) this.interestCache = new Map();
    this.interestCache.set(topic, out);
    return out;
  }

  /** The nearest reachable other gateway that registered `procedure` (ties: lowest id). */
  nearestServing(procedure: string): string | undefined {
    let best: string | undefined;
    let bestDist = Infinity;
    for (const lsa of this.entries.values()) {
      if (lsa.origin === this.self || !lsa.procedures.includes(procedure)) continue;
      const d = this.distances.get(lsa.origin);
      if (d === undefined) continue;
      if (d < bestDist || (d === bestDist && lsa.origin < best!)) {
        best = lsa.origin;
        bestDist = d;
      }
    }
    return best;
  }

  /**
   * The lowest-id reachable gateway below this one that advertises `procedure`, if any. Two
   * gateways that accepted one procedure before hearing of each other resolve the race by this
   * rule, the same at both ends, so exactly one keeps it (docs/protocol.md, registrations).
   */
  outrankedFor(procedure: string): string | undefined {
    let best: string | undefined;
    for (const lsa of this.entries.values()) {
      if (lsa.origin >= this.self || !this.distances.has(lsa.origin)) continue;
      if (lsa.procedures.includes(procedure) && (best === undefined || lsa.origin < best)) best = lsa.origin;
    }
    return best;
  }

  serves(gatewayId: string, procedure: string): boolean {
    return this.entries.get(gatewayId)?.procedures.includes(procedure) ?? false;
  }

  /** Forget LSAs of gateways unreachable for longer than `maxAgeMs`; returns the ids forgotten. */
  expire(maxAgeMs: number, now = Date.now()): string[] {
    const gone: string[] = [];
    for (const id of this.entries.keys()) {
      if (id === this.self || this.distances.has(id)) continue;
      const since = this.unreachableSince.get(id) ?? now;
      if (now - since > maxAgeMs) gone.push(id);
    }
    for (const id of gone) {
      this.entries.delete(id);
      this.unreachableSince.delete(id);
    }
    if (gone.length > 0) this.recompute();
    return gone;
  }

  /** Undirected two-way links, each once, for /api/topology. */
  links(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const id of this.entries.keys()) {
      for (const n of this.twoWayNeighbors(id)) if (id < n) out.push([id, n]);
    }
    return out;
  }
}
