/**
 * Answers shared by identical calls for a short time (docs/read-side.md): many dashboards asking
 * for the same overview within a tick get one database query between them. Identical calls in
 * flight share one promise; an answer is fresh for `ttlMs` (below the 1 s tick, so no figure is
 * older than the tick before); failures are never kept. Bounded: the oldest entries go first.
 *
 * Past `ttlMs` and for as long again, the held answer is still served while ONE call refreshes it
 * in the background: callers of a popular key never wait for the database (those that did were
 * the slow tail of a cached procedure under load). Past twice `ttlMs` a call waits for a new answer.
 */
interface Entry {
  at: number;
  value: Promise<unknown>;
  settled: boolean;
  refreshing: boolean;
}

export class ResultCache {
  private readonly entries = new Map<string, Entry>();
  hits = 0;
  misses = 0;
  /** Hits served from an answer past `ttlMs` while it was being refreshed. */
  staleHits = 0;

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
    if (held && held.settled && t - held.at < 2 * this.ttlMs) {
      this.hits++;
      this.staleHits++;
      if (!held.refreshing) this.refresh(key, held, load);
      return held.value;
    }
    this.misses++;
    return this.store(key, load(), t).value;
  }

  private store(key: string, value: Promise<unknown>, at: number): Entry {
    const entry: Entry = { at, value, settled: false, refreshing: false };
    this.entries.delete(key);
    this.entries.set(key, entry);
    value.then(
      () => (entry.settled = true),
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return entry;
  }

  /** One background load replaces `held` once it succeeds; a failure leaves `held` to age out. */
  private refresh(key: string, held: Entry, load: () => Promise<unknown>): void {
    held.refreshing = true;
    const at = this.now();
    const value = load();
    value.then(
      () => {
        if (this.entries.get(key) === held) this.store(key, value, at).settled = true;
      },
      () => (held.refreshing = false),
    );
  }
}
