/**
 * Calls that arrive in the same turn of the event loop are answered by ONE load (docs/read-side.md,
 * "Queries"): fifty callers asking for fifty homes' history cost one statement instead of fifty,
 * so PostgreSQL and the pool spend their time on rows rather than on round trips. Identical keys
 * in a turn share one answer. Pure: the load is given.
 */
export class Coalescer<K, V> {
  private pending = new Map<
    string,
    { key: K; waiters: Array<[(v: V | undefined) => void, (e: unknown) => void]> }
  >();
  private scheduled = false;
  /** Loads run, and keys they answered (for tests and figures). */
  loads = 0;
  keys = 0;

  constructor(
    /** Answers for the keys, by id; a key without an answer resolves to undefined. */
    private readonly loadMany: (keys: K[]) => Promise<Map<string, V>>,
    private readonly id: (key: K) => string,
    /** Keys per load, at most (a larger turn is split). */
    private readonly maxKeys = 200,
  ) {}

  get(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const k = this.id(key);
      const held = this.pending.get(k);
      if (held) held.waiters.push([resolve, reject]);
      else this.pending.set(k, { key, waiters: [[resolve, reject]] });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const all = [...this.pending.values()];
    this.pending.clear();
    for (let i = 0; i < all.length; i += this.maxKeys) {
      const part = all.slice(i, i + this.maxKeys);
      this.loads++;
      this.keys += part.length;
      this.loadMany(part.map((p) => p.key)).then(
        (answers) => {
          for (const p of part) {
            const v = answers.get(this.id(p.key));
            for (const [resolve] of p.waiters) resolve(v);
          }
        },
        (err: unknown) => {
          for (const p of part) for (const [, reject] of p.waiters) reject(err);
        },
      );
    }
  }
}
