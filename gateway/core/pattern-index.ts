/**
 * Which subscriptions match a topic. Exact patterns are a map lookup; wildcard patterns are scanned.
 * Results are cached per topic (topics repeat a lot: every home publishes the same few), and the
 * cache is dropped whenever the set of subscriptions changes.
 */
import { isWildcard, matches } from '../protocol/topics';

const MAX_CACHED_TOPICS = 10_000;

export interface Patterned {
  readonly pattern: string;
}

export class PatternIndex<T extends Patterned> {
  private readonly exact = new Map<string, Set<T>>();
  private readonly wild = new Set<T>();
  private cache = new Map<string, T[]>();
  private count = 0;
  private readonly patternCounts = new Map<string, number>();

  /** Adds `item`; returns true when its pattern is new to the index. */
  add(item: T): boolean {
    if (isWildcard(item.pattern)) this.wild.add(item);
    else {
      let set = this.exact.get(item.pattern);
      if (!set) this.exact.set(item.pattern, (set = new Set()));
      set.add(item);
    }
    this.count++;
    this.cache.clear();
    const n = this.patternCounts.get(item.pattern) ?? 0;
    this.patternCounts.set(item.pattern, n + 1);
    return n === 0;
  }

  /** Removes `item`; returns true when that was the last item with its pattern. */
  remove(item: T): boolean {
    let removed = false;
    if (isWildcard(item.pattern)) removed = this.wild.delete(item);
    else {
      const set = this.exact.get(item.pattern);
      if (set?.delete(item)) {
        removed = true;
        if (set.size === 0) this.exact.delete(item.pattern);
      }
    }
    if (!removed) return false;
    this.count--;
    this.cache.clear();
    const n = this.patternCounts.get(item.pattern)! - 1;
    if (n > 0) this.patternCounts.set(item.pattern, n);
    else this.patternCounts.delete(item.pattern);
    return n === 0;
  }

  /** Matching items, in subscription order within each group. The array must not be mutated. */
  match(topic: string): readonly T[] {
    const cached = this.cache.get(topic);
    if (cached) return cached;
    const out: T[] = [];
    const set = this.exact.get(topic);
    if (set) for (const item of set) out.push(item);
    for (const item of this.wild) if (matches(item.pattern, topic)) out.push(item);
    if (this.cache.size >= MAX_CACHED_TOPICS) this.cache = new Map();
    this.cache.set(topic, out);
    return out;
  }

  get size(): number {
    return this.count;
  }

  /** Distinct patterns currently held (what this gateway advertises as interest). */
  patterns(): string[] {
    return [...this.patternCounts.keys()].sort();
  }

  *items(): IterableIterator<T> {
    for (const set of this.exact.values()) yield* set;
    yield* this.wild;
  }
}
