/**
 * Answers shared by identical calls for a short time (docs/read-side.md): many dashboards asking
 * for the same overview within a tick get one database query between them. Identical calls in
 * flight share one promise; an answer is reused for `ttlMs` (below the 1 s tick, so no figure is
 * older than the tick before); failures are never kept. Bounded: the oldest entries go first.
 */
export class ResultCache {
  private readonly entries = new Map<string, { at: number; value: Promise<unknown> }>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 2000,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string, load: () => Promise<unknown>): Promise<unknown> {
    if (this.ttlMs <= 0) return load();
    const t = this.now();
    const held = this.entries.get(key);
    if (held && t - held.at < this.ttlMs) {
      this.hits++;
      return held.value;
    }
    this.misses++;
    const value = load();
    this.entries.delete(key);
    this.entries.set(key, { at: t, value });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}
