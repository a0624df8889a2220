/**
 * One mesh link's reliable session with a neighbour (docs/protocol.md §3 "Link failure"). It outlives
 * the connection: every data message gets a per-link sequence number and stays buffered until the
 * neighbour acknowledges it, so when a connection drops and a new one comes up within the replay
 * window, exactly what the neighbour did not receive is sent again, in order. The buffer is
 * bounded in bytes; what overflows or outlives the window is counted, never dropped silently.
 */
import { encodeFrame } from '../protocol/frames';
import type { GatewayStats } from '../core/stats';
import { DataFrameEncoder, decodeDataFrameBytes, sameStrings } from './data-frame';
import { FrameArena } from './frame-arena';
import { UnackedFrames } from './unacked-frames';
import { M } from '../protocol/messages';
import type { Connection } from '../transport/transport';

/** A routed message: enough to re-encode it for another hop or another link. */
export interface MeshMessage {
  origin: string;
  originEpoch: number;
  msgId: number;
  hops: number;
  /** A publication's number in its client's pubStream (body[3]); 0 for anything else. */
  pubSeq: number;
  dests: string[];
  /**
   * Per destination (same index as `dests`), the origin's sequence number of this message toward
   * it, counted per (origin, destination) from 1; 0 for messages that need no order (RPC).
   */
  destSeqs: number[];
  /** Kind and its fields: [kind, ...fields] (see protocol/messages.ts K). */
  body: unknown[];
  payload: Buffer;
}

/**
 * A run of consecutive messages given up at the window's end, all for the same destinations
 * (first/last name them as origin#msgId). Kept by sequence number so that, if the neighbour comes
 * back and says it had received some of them before the cut, those are retracted (docs/loss.md).
 */
export interface LostRun {
  dests: readonly string[];
  first: string;
  last: string;
  firstSeq: number;
  lastSeq: number;
  count: number;
}

/** Runs kept for retraction; a run usually covers a whole outage, so this is never reached. */
const MAX_EXPIRED_RUNS = 10_000;

// Acknowledge often: unacknowledged messages are kept, and short-lived objects are cheap to collect.
const ACK_EVERY = 256;
const ACK_DELAY_MS = 10;

export class PeerLink {
  conn: Connection | undefined;
  /** When the connection dropped (undefined while connected). */
  downSince: number | undefined;
  private outSeq = 0;
  /** The highest sequence the neighbour acknowledged. */
  private ackedSeq = 0;
  /** Who waits for the neighbour to acknowledge a sequence (whenAcked), oldest first. */
  private ackWaiters: { seq: number; done: () => void; since: number }[] = [];
  /**
   * Only the encoded frames are kept (in the link's FrameArena, located by UnackedFrames), never
   * the messages they came from: a message's payload is a view into the read buffer it arrived in
   * (up to 256 KiB from quinn), and thousands of unacknowledged messages under load would keep
   * those buffers alive into V8's old generation. A reroute, which is rare, decodes the message
   * back from its frame.
   */
  private readonly unacked = new UnackedFrames();
  private expiredRuns: LostRun[] = [];
  /** Highest sequence received in order from the neighbour's current epoch. */
  inSeq = 0;
  inEpoch = 0;
  private unackedIn = 0;
  private ackTimer: NodeJS.Timeout | undefined;
  private lastAckSent = 0;
  /**
   * The highest incoming sequence that may be acknowledged: all of it, unless a durable log holds
   * some back until the events they carried are on disk (docs/loss.md), so the neighbour keeps them.
   */
  ackLimit: (inSeq: number) => number = (inSeq) => inSeq;
  lastHeard = Date.now();
  rttMs: number | undefined;
  sent = 0;
  received = 0;
  replayed = 0;
  overflowDropped = 0;
  replayEvicted = 0;
  /** Remote gateway's epoch (its process start), learned at the handshake. */
  remoteEpoch = 0;
  url: string | undefined;
  dialedBySelf = false;

  private readonly encoder = new DataFrameEncoder();
  private readonly arena = new FrameArena();

  constructor(
    readonly peerId: string,
    private readonly maxBufferBytes: number,
    private readonly stats?: GatewayStats,
  ) {}

  /** Everything this link writes goes through here, so bytes and messages are counted by kind. */
  private write(conn: Connection, frame: Buffer): void {
    this.stats?.countOut(frame);
    conn.write(frame);
  }

  get connected(): boolean {
    return this.conn !== undefined;
  }

  get pendingCount(): number {
    return this.unacked.count;
  }

  get pendingBytes(): number {
    return this.unacked.bytes;
  }

  /** Bytes of arena chunks this link may still reuse (tests check its bounds). */
  get arenaBytes(): number {
    return this.arena.heldBytes;
  }

  /**
   * Queue a message on this link. Connected: it is sent now and kept for replay until acknowledged;
   * past the buffer bound the oldest already-sent messages lose their replay copy (counted in
   * `replayEvicted`), nothing is dropped. Disconnected: it waits for the reconnect; past the bound
   * it is refused (counted in `overflowDropped`, and the caller reports it).
   */
  send(msg: MeshMessage): boolean {
    const seq = this.outSeq + 1;
    const size = this.encoder.frameSize(msg);
    if (!this.conn && this.unacked.bytes + size > this.maxBufferBytes) {
      this.overflowDropped++;
      return false;
    }
    const chunk = this.arena.cut(size, seq);
    const at = this.arena.cutAt;
    this.encoder.writeInto(chunk, at, seq, msg);
    this.outSeq = seq;
    this.unacked.push(seq, chunk, at, size);
    this.sent++;
    if (this.conn) {
      // The view lives until the connection's next flush, within this turn: young garbage only.
      this.write(this.conn, chunk.subarray(at, at + size));
      if (this.unacked.bytes > this.maxBufferBytes) {
        let evicted = 0;
        while (this.unacked.bytes > this.maxBufferBytes && this.unacked.count > 0) {
          evicted = this.unacked.shift();
          this.replayEvicted++;
        }
        this.arena.forget(evicted);
      }
    }
    return true;
  }

  /**
   * Neighbour acknowledged everything up to `seq`. Anything but a number up to what was sent is
   * ignored: it would free arena chunks that writes still read.
   */
  acked(seq: number): void {
    if (typeof seq !== 'number' || !(seq >= 0 && seq <= this.outSeq)) return;
    if (seq > this.ackedSeq) {
      this.ackedSeq = seq;
      let n = 0;
      while (n < this.ackWaiters.length && this.ackWaiters[n].seq <= seq) n++;
      if (n > 0) for (const w of this.ackWaiters.splice(0, n)) w.done();
    }
    this.unacked.dropThrough(seq);
    this.arena.release(seq);
  }

  /** Housekeeping (the mesh's timer): memory kept for a burst that is over goes back. */
  trim(): void {
    this.arena.trim();
    this.unacked.trim();
  }

  /** The sequence of the last message written on this link. */
  get lastSeq(): number {
    return this.outSeq;
  }

  /**
   * Arranges `done` for when the neighbour has acknowledged `seq`, or the link went down or was
   * given up (from then on its replay buffer, in memory, holds what it had, as before it was
   * written). Returns false, and never calls `done`, when there is nothing to wait for; never
   * calls it from inside this call.
   */
  whenAcked(seq: number, done: () => void): boolean {
    if (!this.conn || seq <= this.ackedSeq) return false;
    this.ackWaiters.push({ seq, done, since: Date.now() });
    return true;
  }

  /**
   * Stops waiting for acknowledgements asked for more than `maxMs` ago (the link then holds what
   * they cover in its replay buffer, in memory): a neighbour that is connected but does not
   * acknowledge (it holds messages back for their order, or is about to be found silent) never
   * holds a publisher back for longer. Returns how many waits ended.
   */
  releaseOverdue(now: number, maxMs: number): number {
    let n = 0;
    while (n < this.ackWaiters.length && now - this.ackWaiters[n].since > maxMs) n++;
    if (n > 0) for (const w of this.ackWaiters.splice(0, n)) w.done();
    return n;
  }

  /** The link went down or is disposed: nobody waits for acknowledgements that may never come. */
  private releaseAckWaiters(): void {
    if (this.ackWaiters.length === 0) return;
    const waiters = this.ackWaiters;
    this.ackWaiters = [];
    for (const w of waiters) w.done();
  }

  /**
   * A (new) connection is up and the neighbour said what it last received from us: drop what it
   * has, resend the rest in order.
   */
  attach(conn: Connection, peerReceived: number): void {
    this.conn = conn;
    this.downSince = undefined;
    this.lastHeard = Date.now();
    this.acked(peerReceived);
    for (let k = 0; k < this.unacked.count; k++) {
      this.write(conn, this.unacked.frameAt(k));
      this.replayed++;
    }
  }

  detach(): void {
    if (!this.conn) return;
    this.conn = undefined;
    this.releaseAckWaiters();
    // The old connection may still be flushing frames cut from the arena (frame-arena.ts).
    this.arena.abandon();
    this.downSince = Date.now();
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
  }

  /**
   * Take, for a reroute, every unacknowledged message's destinations that `reroutable` accepts.
   * A message bound for some destinations that are reachable another way and some that are not
   * (a topic both a cut-off gateway and a reachable one subscribe to) is split: the reachable part
   * goes now, and the copy kept for replay here names only the others, so the replay brings no
   * second copy. Left whole on the link, it would hold back, at each reachable destination, every
   * later message of its origin (in-order.ts) until this link came back.
   */
  takeUnacked(reroutable: (dest: string) => boolean): MeshMessage[] {
    const taken: MeshMessage[] = [];
    const kept: { seq: number; frame: Buffer }[] = [];
    for (let k = 0; k < this.unacked.count; k++) {
      const item = { seq: this.unacked.seqAt(k), frame: this.unacked.frameAt(k) };
      const msg = decodeDataFrameBytes(item.frame);
      const go = msg.dests.map(reroutable);
      if (!go.includes(true)) {
        kept.push(item);
        continue;
      }
      // A copy: the frame's arena chunk is reused once later frames are acknowledged.
      const payload = Buffer.from(msg.payload);
      if (!go.includes(false)) {
        taken.push({ ...msg, payload });
        continue;
      }
      const part = (want: boolean) => ({
        dests: msg.dests.filter((_, d) => go[d] === want),
        destSeqs: msg.destSeqs.filter((_, d) => go[d] === want),
      });
      taken.push({ ...msg, ...part(true), payload });
      // Outside the arena, in a buffer of its own: it outlives the chunk the original was cut from.
      const frame = new DataFrameEncoder().encode(item.seq, { ...msg, ...part(false), payload });
      kept.push({ seq: item.seq, frame });
    }
    this.unacked.clear();
    for (const { seq, frame } of kept) this.unacked.push(seq, frame, 0, frame.length);
    return taken;
  }

  /** Forget everything buffered (the window passed); returns what was given up, in runs. */
  expire(): LostRun[] {
    const runs: LostRun[] = [];
    for (let k = 0; k < this.unacked.count; k++) {
      const seq = this.unacked.seqAt(k);
      const msg = decodeDataFrameBytes(this.unacked.frameAt(k));
      const id = `${msg.origin}#${msg.msgId}`;
      const run = runs[runs.length - 1];
      if (run && run.lastSeq === seq - 1 && sameStrings(run.dests, msg.dests)) {
        run.lastSeq = seq;
        run.last = id;
        run.count++;
      } else runs.push({ dests: msg.dests, first: id, last: id, firstSeq: seq, lastSeq: seq, count: 1 });
    }
    if (this.expiredRuns.length + runs.length <= MAX_EXPIRED_RUNS) this.expiredRuns.push(...runs);
    this.unacked.clear();
    this.arena.releaseAll();
    return runs;
  }

  /**
   * The link is back and the neighbour last received `peerReceived` from us: of what `expire` gave
   * up, the part up to there had arrived after all (written just before the cut, its acknowledgement
   * lost). Returns those runs, clipped; the rest stays lost.
   */
  settleExpired(peerReceived: number): LostRun[] {
    const arrived: LostRun[] = [];
    for (const run of this.expiredRuns) {
      if (run.firstSeq > peerReceived) continue;
      const lastSeq = Math.min(run.lastSeq, peerReceived);
      arrived.push({
        ...run,
        lastSeq,
        count: lastSeq - run.firstSeq + 1,
        last: lastSeq === run.lastSeq ? run.last : `${run.first}+${lastSeq - run.firstSeq}`,
      });
    }
    this.expiredRuns = [];
    return arrived;
  }

  /**
   * Record an incoming sequence number. Returns false for a duplicate (already received before a
   * reconnect), which the caller drops.
   */
  accept(seq: number): boolean {
    this.lastHeard = Date.now();
    if (seq <= this.inSeq) return false;
    this.inSeq = seq;
    this.received++;
    if (++this.unackedIn >= ACK_EVERY) this.sendAck();
    else if (!this.ackTimer) this.ackTimer = setTimeout(() => this.sendAck(), ACK_DELAY_MS);
    return true;
  }

  /**
   * Incoming sequences of messages received but not yet delivered here: they wait at the
   * destination for an earlier message of their origin (in-order.ts). Until delivered they are not
   * acknowledged (nor recorded by a durable log as received), so a crash meanwhile does not lose
   * them: the neighbour still has them.
   */
  private readonly waiting = new Set<number>();

  /** A message received as `seq` waits for delivery: hold the acknowledgements below it. */
  holdBack(seq: number): void {
    this.waiting.add(seq);
  }

  /** The message received as `seq` was delivered: acknowledge past it once nothing earlier waits. */
  release(seq: number): void {
    if (this.waiting.delete(seq) && this.waiting.size === 0) this.flushAck();
  }

  /** Received in order and delivered or passed on: what this gateway answers for. */
  get receivedThrough(): number {
    if (this.waiting.size === 0) return this.inSeq;
    let lowest = Infinity;
    for (const seq of this.waiting) if (seq < lowest) lowest = seq;
    return Math.min(this.inSeq, lowest - 1);
  }

  /** What may be acknowledged now (also what a reconnect's handshake says was received). */
  get ackable(): number {
    return this.ackLimit(this.receivedThrough);
  }

  private sendAck(): void {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    this.unackedIn = 0;
    const seq = this.ackable;
    if (this.conn && seq > this.lastAckSent) {
      this.lastAckSent = seq;
      this.write(this.conn, encodeFrame([M.LINK_ACK, seq]));
    }
  }

  /** The durable log finished a batch: acknowledge what it let through. */
  flushAck(): void {
    if (this.conn && this.ackable > this.lastAckSent) this.sendAck();
  }

  /** The neighbour restarted (new epoch): its sequence numbers start again. */
  resetIncoming(epoch: number): void {
    if (this.inEpoch !== epoch) {
      this.inEpoch = epoch;
      this.inSeq = 0;
      this.lastAckSent = 0;
      this.waiting.clear();
    }
  }

  dispose(): void {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    this.releaseAckWaiters();
  }
}
