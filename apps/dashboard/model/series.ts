/**
 * Bounded series for the live charts: a fixed number of points, oldest dropped first, so a stream
 * that runs for hours keeps the same memory and the same redraw cost.
 */
export interface Point {
  /** Epoch ms (simulated time). */
  t: number;
  v: number | null;
}

export class BoundedSeries {
  private readonly points: Point[] = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  /**
   * Adds a point. A point at the same time as the last one replaces it; one older than the last is
   * ignored (aggregates can arrive out of order across gateways, and a chart's x must not go back).
   */
  push(t: number, v: number | null): boolean {
    const last = this.points[this.points.length - 1];
    if (last && t < last.t) return false;
    if (last && t === last.t) {
      last.v = v;
      return true;
    }
    this.points.push({ t, v });
    if (this.points.length > this.capacity) this.points.splice(0, this.points.length - this.capacity);
    return true;
  }

  clear(): void {
    this.points.length = 0;
  }

  get length(): number {
    return this.points.length;
  }

  toArray(): Point[] {
    return this.points.map((p) => ({ ...p }));
  }
}

/** Several series sharing one x axis, in the column form uPlot draws ([xs, ys1, ys2, …]). */
export class BoundedTable<K extends string> {
  private readonly xs: number[] = [];
  private readonly cols: Record<K, Array<number | null>>;

  constructor(
    readonly keys: readonly K[],
    readonly capacity: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.cols = Object.fromEntries(keys.map((k) => [k, []])) as unknown as Record<K, Array<number | null>>;
  }

  /** Same rules as BoundedSeries.push: same x replaces, older x is ignored. */
  push(t: number, row: Partial<Record<K, number | null>>): boolean {
    const n = this.xs.length;
    if (n > 0 && t < this.xs[n - 1]) return false;
    if (n > 0 && t === this.xs[n - 1]) {
      for (const k of this.keys) if (k in row) this.cols[k][n - 1] = row[k] ?? null;
      return true;
    }
    this.xs.push(t);
    for (const k of this.keys) this.cols[k].push(row[k] ?? null);
    if (this.xs.length > this.capacity) {
      const drop = this.xs.length - this.capacity;
      this.xs.splice(0, drop);
      for (const k of this.keys) this.cols[k].splice(0, drop);
    }
    return true;
  }

  clear(): void {
    this.xs.length = 0;
    for (const k of this.keys) this.cols[k].length = 0;
  }

  get length(): number {
    return this.xs.length;
  }

  /** `{t: [...], key: [...]}`: plain JSON for the wire. */
  toJSON(): { t: number[] } & Record<K, Array<number | null>> {
    const out = { t: [...this.xs] } as { t: number[] } & Record<K, Array<number | null>>;
    for (const k of this.keys) (out as Record<string, unknown>)[k] = [...this.cols[k]];
    return out;
  }
}
