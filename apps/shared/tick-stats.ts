/** Per-tick processing times of an app, for logs and `bench:sim` (issue 4: p99 under 25 % of TICK_MS). */
export interface TickSummary {
  ticks: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Synchronous part only (model + building payloads), p99. */
  cpuP99Ms: number;
  published: number;
}

const WINDOW = 2000;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export class TickStats {
  private readonly durations: number[] = [];
  private readonly cpu: number[] = [];
  private published = 0;
  ticks = 0;

  recordCpu(ms: number): void {
    this.cpu.push(ms);
    if (this.cpu.length > WINDOW) this.cpu.shift();
  }

  /** Whole tick, from receipt to every publication handed to the client. */
  record(ms: number, publishedSoFar: number): void {
    this.ticks++;
    this.published = publishedSoFar;
    this.durations.push(ms);
    if (this.durations.length > WINDOW) this.durations.shift();
  }

  reset(): void {
    this.durations.length = 0;
    this.cpu.length = 0;
    this.ticks = 0;
  }

  summary(): TickSummary {
    const d = [...this.durations].sort((a, b) => a - b);
    const c = [...this.cpu].sort((a, b) => a - b);
    return {
      ticks: this.ticks,
      p50Ms: percentile(d, 50),
      p99Ms: percentile(d, 99),
      maxMs: d[d.length - 1] ?? 0,
      cpuP99Ms: percentile(c, 99),
      published: this.published,
    };
  }
}
