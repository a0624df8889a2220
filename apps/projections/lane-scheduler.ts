/**
 * Runs work on lanes (the projections' writer connections, docs/read-side.md "Two writers"): what
 * is queued on one lane runs in queue order, one at a time; different lanes run at once, so a
 * writer that finished its part of a batch starts its part of the next one instead of waiting for
 * the other writer. A barrier runs after everything queued on every lane and before anything
 * queued after it (a batch holding a reset). A failed piece of work fails only its own promise:
 * what is queued after it still runs (and decides for itself whether to). Pure scheduling, no I/O.
 */
export class LaneScheduler {
  /** Per lane: settles when everything queued on it so far has run (never rejects). */
  private tails: Array<Promise<unknown>>;

  constructor(lanes: number) {
    this.tails = Array.from({ length: Math.max(1, lanes) }, () => Promise.resolve());
  }

  get lanes(): number {
    return this.tails.length;
  }

  /** Runs `work` on `lane` once everything queued on that lane before it has run. */
  on<T>(lane: number, work: () => Promise<T>): Promise<T> {
    const run = this.tails[lane].then(work);
    this.tails[lane] = run.catch(() => undefined);
    return run;
  }

  /** Runs `work` once everything queued on every lane has run; everything queued later waits for it. */
  barrier<T>(work: () => Promise<T>): Promise<T> {
    const run = Promise.all(this.tails).then(work);
    const tail = run.catch(() => undefined);
    this.tails = this.tails.map(() => tail);
    return run;
  }

  /** Settles once everything queued so far has run (never rejects). */
  async idle(): Promise<void> {
    await Promise.all(this.tails);
  }
}
