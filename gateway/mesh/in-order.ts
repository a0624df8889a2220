/**
 * Per-origin ordering at the destination gateway (docs/loss.md "Order after a heal"). After a
 * partition heals, one origin's messages for this gateway come back from several places at once:
 * the replay buffers of every neighbour's link, messages held toward this gateway, what was
 * rerouted before the cut was noticed, and new traffic over whichever link returned first. Each
 * message carries the origin's sequence number toward this gateway (data-frame.ts), so a message
 * that arrives ahead of one still missing waits here until the gap fills.
 *
 * The fast path is one map lookup and a comparison: in a steady mesh every message is the next one.
 * A gap is waited for at most `waitMs` (the replay window: anything still travelling is given up
 * upstream by then, and counted there) and within a byte bound for all origins together; then
 * what waits is released in order and the gap is counted. An origin that gave up a message toward
 * this gateway itself (its hold overflowed or expired, this gateway was forgotten) says so on the
 * next one (a negative number), and what is missing below it is not waited for. A message of a
 * released gap that still arrives is delivered at once, counted as late: never dropped.
 *
 * A message that waits is told to the link it arrived on (`via`), which holds its acknowledgement
 * back until it is delivered (link.ts): the neighbour keeps it meanwhile, so a crash of this
 * gateway, or its durable log's record of what was received, does not pass over it.
 */
import type { MeshMessage } from './link';

/** Per waiting message: what the entry costs beyond its payload (object, map slot). */
const OVERHEAD_BYTES = 128;
/**
 * Gaps given up are reported at most this often per origin, as one range (a bound hit under load
 * could otherwise give up one gap per message).
 */
const REPORT_EVERY_MS = 5000;

/** Gaps of one origin given up since its last report. */
interface Skipped {
  first: number;
  last: number;
  count: number;
  why: GapReason;
}

/** Why a gap was given up: waited too long, the byte bound, or the origin said it gave it up. */
export type GapReason = 'timeout' | 'bound' | 'origin';

/** A message that arrived ahead of a gap, its payload copied, and the link (and its sequence) it came by. */
interface Waiting<Via> {
  msg: MeshMessage;
  via: Via | undefined;
  viaSeq: number;
}

interface Stream<Via> {
  epoch: number;
  /** The sequence number this gateway delivers next from this origin. */
  next: number;
  /** Arrived ahead of `next`, by sequence number. */
  pending: Map<number, Waiting<Via>>;
  /** Since when the current gap has been waited for (undefined while nothing waits). */
  since: number | undefined;
  skipped: Skipped | undefined;
  reportedAt: number;
}

export interface InOrderHooks<Via> {
  deliver(msg: MeshMessage): void;
  /** A message that came by `via` as its `viaSeq` waits; `released` follows once it is delivered. */
  waits(via: Via, viaSeq: number): void;
  released(via: Via, viaSeq: number): void;
  /**
   * `count` messages from `origin`, numbered `first`..`last` (with what was delivered between them),
   * were given up: waited for too long, or the bound (the last reason). At most every 5 s per origin.
   */
  gap(origin: string, first: number, last: number, count: number, why: GapReason): void;
}

export class InOrder<Via = unknown> {
  private readonly streams = new Map<string, Stream<Via>>();
  private bytes = 0;
  private count = 0;
  /** Messages skipped over when a gap was released, by why. */
  readonly gaps: Record<GapReason, number> = { timeout: 0, bound: 0, origin: 0 };
  /** Messages delivered after later ones from the same origin (their gap had been released). */
  late = 0;

  constructor(
    private readonly waitMs: number,
    private readonly maxBytes: number,
    private readonly hooks: InOrderHooks<Via>,
  ) {}

  /** Messages skipped over, whatever the reason. */
  get gapsTotal(): number {
    return this.gaps.timeout + this.gaps.bound + this.gaps.origin;
  }

  get waitingCount(): number {
    return this.count;
  }

  get waitingBytes(): number {
    return this.bytes;
  }

  /**
   * A message for this gateway, seen for the first time, with its sequence number toward it
   * (negative: the origin gave up something toward this gateway before it), and the link it came by
   * with its sequence there. The clock (`at`, for tests) is read only when something waits or is
   * released, not on the steady path.
   */
  accept(msg: MeshMessage, numbered: number, via?: Via, viaSeq = 0, at?: number): void {
    if (numbered === 0) return this.hooks.deliver(msg); // unordered (calls and results)
    const seq = Math.abs(numbered);
    let s = this.streams.get(msg.origin);
    if (s && msg.originEpoch < s.epoch) {
      // From an earlier life of the origin, after its new one was heard: nothing left to order it by.
      this.late++;
      return this.hooks.deliver(msg);
    }
    if (!s || msg.originEpoch > s.epoch) {
      // The origin restarted: its numbering starts at 1 again, after whatever of its earlier life
      // still waits. A first message ever heard from it is where its stream starts here (this
      // gateway cannot know what an origin older than itself sent to a predecessor).
      if (s) this.releaseAll(msg.origin, s, at ?? Date.now());
      s = {
        epoch: msg.originEpoch,
        next: s ? 1 : seq,
        pending: new Map(),
        since: undefined,
        skipped: undefined,
        reportedAt: -Infinity,
      };
      this.streams.set(msg.origin, s);
    }
    if (numbered < 0 && seq > s.next) this.skipBelow([msg.origin, s], seq, at ?? Date.now());
    if (seq === s.next) {
      s.next++;
      this.hooks.deliver(msg);
      if (s.pending.size > 0) this.drain(s, at ?? Date.now());
      return;
    }
    if (seq < s.next) {
      this.late++;
      return this.hooks.deliver(msg);
    }
    if (s.pending.has(seq)) return;
    const now = at ?? Date.now();
    s.pending.set(seq, { msg: { ...msg, payload: Buffer.from(msg.payload) }, via, viaSeq });
    this.bytes += msg.payload.length + OVERHEAD_BYTES;
    this.count++;
    s.since ??= now;
    if (via !== undefined) this.hooks.waits(via, viaSeq);
    while (this.bytes > this.maxBytes) this.skipGap(this.longestWaiting()!, 'bound', now);
  }

  /**
   * Release every gap waited for longer than the wait, and report what was given up (called by the
   * mesh's housekeeping).
   */
  releaseOverdue(now = Date.now()): void {
    for (const [origin, s] of this.streams) {
      if (s.since !== undefined && now - s.since >= this.waitMs) this.skipGap([origin, s], 'timeout', now);
      if (s.skipped && now - s.reportedAt >= REPORT_EVERY_MS) this.report(origin, s, now);
    }
  }

  /** Deliver what follows `next` without a gap; the next gap, if any, is waited for from now. */
  private drain(s: Stream<Via>, now: number): void {
    for (let w = s.pending.get(s.next); w; w = s.pending.get(s.next)) {
      this.take(s, s.next);
      s.next++;
      this.hooks.deliver(w.msg);
      if (w.via !== undefined) this.hooks.released(w.via, w.viaSeq);
    }
    s.since = s.pending.size > 0 ? now : undefined;
  }

  /** Give up waiting for the first gap of a stream: skip to its lowest waiting message. */
  private skipGap(entry: [string, Stream<Via>], why: GapReason, now: number): void {
    this.skipTo(entry, lowestPending(entry[1]), why, now);
  }

  /** The origin gave up something below `seq`: deliver what waits below it, skip what is missing. */
  private skipBelow(entry: [string, Stream<Via>], seq: number, now: number): void {
    const s = entry[1];
    while (s.next < seq) this.skipTo(entry, Math.min(lowestPending(s), seq), 'origin', now);
  }

  private skipTo([origin, s]: [string, Stream<Via>], to: number, why: GapReason, now: number): void {
    const count = to - s.next;
    this.gaps[why] += count;
    if (!s.skipped) s.skipped = { first: s.next, last: to - 1, count, why };
    else Object.assign(s.skipped, { last: to - 1, count: s.skipped.count + count, why });
    if (now - s.reportedAt >= REPORT_EVERY_MS) this.report(origin, s, now);
    s.next = to;
    this.drain(s, now);
  }

  private report(origin: string, s: Stream<Via>, now: number): void {
    const { first, last, count, why } = s.skipped!;
    s.skipped = undefined;
    s.reportedAt = now;
    this.hooks.gap(origin, first, last, count, why);
  }

  /** Everything waiting from an origin's earlier life, in order, gaps counted and reported. */
  private releaseAll(origin: string, s: Stream<Via>, now: number): void {
    while (s.pending.size > 0) this.skipGap([origin, s], 'origin', now);
    if (s.skipped) this.report(origin, s, now);
  }

  private longestWaiting(): [string, Stream<Via>] | undefined {
    let oldest: [string, Stream<Via>] | undefined;
    for (const entry of this.streams)
      if (entry[1].since !== undefined && (!oldest || entry[1].since < oldest[1].since!)) oldest = entry;
    return oldest;
  }

  private take(s: Stream<Via>, seq: number): void {
    const m = s.pending.get(seq)!.msg;
    s.pending.delete(seq);
    this.bytes -= m.payload.length + OVERHEAD_BYTES;
    this.count--;
  }
}

function lowestPending<Via>(s: Stream<Via>): number {
  let lowest = Infinity;
  for (const seq of s.pending.keys()) if (seq < lowest) lowest = seq;
  return lowest;
}
