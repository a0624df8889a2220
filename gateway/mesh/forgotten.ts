/**
 * The interest of gateways whose advertisement expired (unreachable past MESH_REPLAY_S). Nothing is
 * sent toward them any more, but a publication they would have received is still a loss, and the
 * mesh counts it (reason `forgotten`, docs/loss.md) until the gateway advertises again. Bounded:
 * past MAX_FORGOTTEN the one forgotten longest ago is dropped from this list.
 */
import { matches } from '../protocol/topics';

const MAX_FORGOTTEN = 256;
const MAX_CACHED_TOPICS = 10_000;

export class Forgotten {
  private readonly patterns = new Map<string, readonly string[]>();
  private cache = new Map<string, string[]>();

  get size(): number {
    return this.patterns.size;
  }

  add(gatewayId: string, patterns: readonly string[]): void {
    this.patterns.delete(gatewayId);
    if (patterns.length === 0) return;
    this.patterns.set(gatewayId, patterns);
    if (this.patterns.size > MAX_FORGOTTEN) this.patterns.delete(this.patterns.keys().next().value!);
    this.cache = new Map();
  }

  /** It advertised again: what it gets from now on is routed, not counted here. */
  delete(gatewayId: string): void {
    if (this.patterns.delete(gatewayId)) this.cache = new Map();
  }

  /** Forgotten gateways that had a pattern matching `topic` (cached per topic). */
  interestedIn(topic: string): readonly string[] {
    const cached = this.cache.get(topic);
    if (cached) return cached;
    const out: string[] = [];
    for (const [id, patterns] of this.patterns) if (patterns.some((p) => matches(p, topic))) out.push(id);
    if (this.cache.size > MAX_CACHED_TOPICS) this.cache = new Map();
    this.cache.set(topic, out);
    return out;
  }
}
