/**
 * Publications a gateway's clients make right after it (re)started, held until it has learned the
 * mesh's interest (docs/loss.md "Restarts"). A restarted gateway's database is empty: without
 * this, what its clients send in the first seconds (often a backlog queued while it was down) goes
 * toward no one, uncounted, because no advertisement has arrived yet. Held in order, payloads
 * copied, bounded in bytes; what the bound refuses is counted by the caller.
 */
export interface StartupPublication {
  topic: string;
  publisher: string;
  payload: Buffer;
  /** The publication's id in its client's stream (docs/protocol.md §2), or null and 0. */
  stream: string | null;
  pubSeq: number;
}

const OVERHEAD_BYTES = 96;

export class StartupHold {
  private queue: StartupPublication[] = [];
  private bytes = 0;
  /** Set once released: from then on publications go out at once. */
  done = false;

  constructor(
    private readonly maxBytes: number,
    /** Held no longer than this after the start, whatever was learned. */
    readonly deadline: number,
  ) {}

  get heldCount(): number {
    return this.queue.length;
  }

  /** False when the bound is reached. */
  hold(topic: string, publisher: string, payload: Buffer, stream: string | null, pubSeq: number): boolean {
    const size = payload.length + topic.length + OVERHEAD_BYTES;
    if (this.bytes + size > this.maxBytes) return false;
    this.queue.push({ topic, publisher, payload: Buffer.from(payload), stream, pubSeq });
    this.bytes += size;
    return true;
  }

  /** Everything held, oldest first; the hold is over. */
  release(): StartupPublication[] {
    const out = this.queue;
    this.queue = [];
    this.bytes = 0;
    this.done = true;
    return out;
  }
}
