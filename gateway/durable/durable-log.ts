/**
 * The durable log of one gateway (GATEWAY_DATA_DIR; docs/loss.md "Durable subscriptions across a
 * crash"): every durable subscription's definition, events and position, appended to segment
 * files and made durable in batches (group commit every GATEWAY_DATA_SYNC_MS). Each batch ends
 * with a COMMIT holding how far every mesh link had been received when it was cut; the links
 * acknowledge upstream only up to what a finished batch covers (`ackLimit`), so what a crash takes
 * from this gateway is still in its neighbours' replay buffers, and a restart tells them where to
 * resume. Bounded by GATEWAY_DATA_MAX_BYTES: past it the oldest segment goes, and the events it
 * still held count as dropped for their subscriptions (told like any overflow), logged and counted.
 */
import type { Logger } from 'pino';
import { ftruncateSync, openSync, closeSync } from 'node:fs';
import type { DurableJournal, DurableSubscription, StoredEvent } from '../core/subscribers';
import {
  encodeCommit,
  encodeEvent,
  encodeRemove,
  encodeState,
  type EncodedRecord,
  type LinkPosition,
  type StateRecord,
} from './records';
import type { AckedLink } from '../core/publication-acks';
import type { RecoveredLog } from './recovery';
import { Segments, type Segment } from './segments';

export interface DurableLogOptions {
  dir: string;
  maxBytes: number;
  syncMs: number;
  log: Logger;
}

export interface DurableLogHost {
  /** Every durable subscription now. */
  subscriptions(): Iterable<DurableSubscription>;
  /** The subscription under `name` now (a removed one's late changes are not written). */
  subscription(name: string): DurableSubscription | undefined;
  /** How far each mesh link has been received right now (every message up to it fully handled). */
  linkPositions(): LinkPosition[];
  /** A batch is durable: links may acknowledge what it covers. */
  committed(): void;
}

/** One segment is at most an eighth of the bound, so dropping the oldest frees a known share. */
function segmentBytesFor(maxBytes: number): number {
  return Math.max(4096, Math.min(64 * 1024 * 1024, Math.floor(maxBytes / 8)));
}

const RETRY_AFTER_ERROR_MS = 1000;

export function stateOf(sub: DurableSubscription): StateRecord {
  return {
    name: sub.name,
    pattern: sub.pattern,
    owner: sub.owner,
    floor: sub.floor,
    lastSeq: sub.lastSeq,
    overflow: sub.overflow,
    overflowTotal: sub.overflowTotal,
    epoch: sub.epoch,
  };
}

export class DurableLog implements DurableJournal, AckedLink {
  private readonly segments: Segments;
  private readonly segmentBytes: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Events (or new subscriptions) wait in `pending`: link acknowledgements must wait for them. */
  private pendingGates = false;
  private inFlightGates = false;
  private readonly dirty = new Set<DurableSubscription>();
  /** Highest event sequence per subscription in `pending`, merged into the segment it lands in. */
  private pendingMaxSeq = new Map<string, number>();
  /** The same per subscription object: what each may hand its client once the batch is durable. */
  private pendingRelease = new Map<DurableSubscription, number>();
  /** The next batch starts a new segment; `pending` begins with its snapshot. */
  private rotateNext = false;
  /** A link came up: write a batch so its peer is on record even if no event follows. */
  private linksChanged = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly committedLinks = new Map<string, LinkPosition>();
  private idleWaiters: Array<() => void> = [];
  /**
   * Events appended so far, and how many of them finished batches hold: a client's publication
   * kept for a durable subscription here is acknowledged to it (PUBACK) only once on disk, since
   * no other gateway has it to send again (docs/loss.md, "Publishers whose gateway dies").
   */
  private appendedEvents = 0;
  private durableEvents = 0;
  private eventWaiters: Array<{ mark: number; done: () => void }> = [];
  private closed = false;
  private lastError: string | undefined;

  commits = 0;
  writtenBytes = 0;
  /** Events dropped because the log reached GATEWAY_DATA_MAX_BYTES. */
  boundDropped = 0;
  writeErrors = 0;
  /** Bytes cut off segment tails when the log was read at start. */
  readonly cutBytes: number;

  constructor(
    private readonly opts: DurableLogOptions,
    private readonly host: DurableLogHost,
    recovered: RecoveredLog,
  ) {
    this.segments = new Segments(opts.dir, recovered.segments);
    this.segmentBytes = segmentBytesFor(opts.maxBytes);
    this.cutBytes = recovered.cutBytes;
    for (const l of recovered.links) this.committedLinks.set(l.peer, l);
  }

  get bytes(): number {
    return this.segments.totalBytes;
  }

  get segmentCount(): number {
    return this.segments.list.length;
  }

  // --- DurableJournal --------------------------------------------------------------------------

  created(sub: DurableSubscription): void {
    this.append(encodeState(stateOf(sub)), true);
  }

  removed(sub: DurableSubscription): void {
    this.dirty.delete(sub);
    this.append(encodeRemove(sub.name), false);
  }

  event(sub: DurableSubscription, e: StoredEvent): void {
    this.pendingMaxSeq.set(sub.name, e.seq);
    this.pendingRelease.set(sub, e.seq);
    this.appendedEvents++;
    this.append(encodeEvent({ name: sub.name, ...e }), true);
  }

  /** Counts the events appended so far: a mark to wait for with `whenAcked`. */
  get eventMark(): number {
    return this.appendedEvents;
  }

  /** Calls `done` once a finished batch holds every event up to `mark`; false: it already does. */
  whenAcked(mark: number, done: () => void): boolean {
    if (mark <= this.durableEvents || this.closed) return false;
    this.eventWaiters.push({ mark, done });
    return true;
  }

  changed(sub: DurableSubscription): void {
    this.dirty.add(sub);
    this.schedule();
  }

  /** The set of mesh links changed: record it (a restarted hub waits for the peers it had). */
  touch(): void {
    this.linksChanged = true;
    this.schedule();
  }

  // --- link acknowledgements -------------------------------------------------------------------

  /**
   * The highest sequence of `peer`'s link (its epoch) that may be acknowledged: everything received,
   * when no event waits for the disk; otherwise what the last durable batch covered.
   */
  ackLimit(peer: string, epoch: number, inSeq: number): number {
    if (!this.pendingGates && !this.inFlightGates) return inSeq;
    const c = this.committedLinks.get(peer);
    return c && c.epoch === epoch ? Math.min(c.seq, inSeq) : 0;
  }

  /** What the last durable batch said about `peer`'s link (after a restart: the previous run's). */
  committedPosition(peer: string): LinkPosition | undefined {
    return this.committedLinks.get(peer);
  }

  // --- batches ---------------------------------------------------------------------------------

  private append(record: EncodedRecord, gates: boolean): void {
    if (this.closed) return;
    this.pending.push(record[0], record[1]);
    this.pendingBytes += record[0].length + record[1].length;
    if (gates) this.pendingGates = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.segments.busy || this.closed) return;
    this.timer = setTimeout(() => this.cut(), this.opts.syncMs);
  }

  /** Takes what gathered since the last batch, with the dirty positions and a COMMIT. */
  private takeBatch(): {
    chunks: Buffer[];
    links: LinkPosition[];
    gates: boolean;
    maxSeq: Map<string, number>;
    release: Map<DurableSubscription, number>;
    events: number;
  } {
    const chunks = this.pending;
    for (const sub of this.dirty)
      if (this.host.subscription(sub.name) === sub) chunks.push(...encodeState(stateOf(sub)));
    this.dirty.clear();
    const links = this.host.linkPositions();
    chunks.push(...encodeCommit(links));
    const gates = this.pendingGates;
    const maxSeq = this.pendingMaxSeq;
    const release = this.pendingRelease;
    this.pendingRelease = new Map();
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingGates = false;
    this.pendingMaxSeq = new Map();
    return { chunks, links, gates, maxSeq, release, events: this.appendedEvents };
  }

  private cut(): void {
    this.timer = undefined;
    if (this.segments.busy || this.closed) return;
    if (this.pending.length === 0 && this.dirty.size === 0 && !this.linksChanged) return this.wakeIdle();
    this.linksChanged = false;
    if (this.rotateNext) {
      this.segments.rotate();
      this.rotateNext = false;
    }
    const batch = this.takeBatch();
    let bytes = 0;
    for (const c of batch.chunks) bytes += c.length;
    this.enforceBound(bytes);
    const seg = this.segments.current;
    for (const [name, seq] of batch.maxSeq) seg.maxSeq.set(name, Math.max(seg.maxSeq.get(name) ?? 0, seq));
    const before = seg.bytes;
    this.inFlightGates = batch.gates;
    this.segments.write(batch.chunks, (err) => {
      this.inFlightGates = false;
      if (err) return this.failed(seg, before, batch, err);
      this.commits++;
      for (const [sub, seq] of batch.release) sub.durableUpTo(seq);
      this.eventsDurable(batch.events);
      this.writtenBytes += bytes;
      for (const l of batch.links) this.committedLinks.set(l.peer, l);
      this.afterBatch();
      this.host.committed();
      if (this.pending.length > 0 || this.dirty.size > 0) this.schedule();
      else this.wakeIdle();
    });
  }

  /**
   * After a batch: delete the front segments whose every event is acknowledged, and when the
   * current one is full, make the next batch start a new one with a snapshot of every
   * subscription at its head (taken now, while nothing is pending, so it is exact).
   */
  private afterBatch(): void {
    while (this.segments.list.length > 1 && this.settled(this.segments.list[0])) this.segments.dropOldest();
    if (this.segments.current.bytes < this.segmentBytes || this.rotateNext) return;
    const snapshot: Buffer[] = [];
    for (const sub of this.host.subscriptions()) snapshot.push(...encodeState(stateOf(sub)));
    this.pending = [...snapshot, ...this.pending];
    for (const b of snapshot) this.pendingBytes += b.length;
    this.rotateNext = true;
  }

  /** Every event this segment holds is acknowledged or dropped (or its subscription is gone). */
  private settled(seg: Segment): boolean {
    for (const [name, maxSeq] of seg.maxSeq) {
      const sub = this.host.subscription(name);
      if (sub && sub.floor < maxSeq) return false;
    }
    return true;
  }

  /** Past GATEWAY_DATA_MAX_BYTES: the oldest segments go, with what they still held. */
  private enforceBound(incoming: number): void {
    while (this.segments.totalBytes + incoming > this.opts.maxBytes && this.segments.list.length > 1) {
      const seg = this.segments.dropOldest()!;
      let dropped = 0;
      for (const [name, maxSeq] of seg.maxSeq) {
        const sub = this.host.subscription(name);
        if (sub && sub.floor < maxSeq) dropped += sub.dropUpTo(maxSeq);
      }
      this.boundDropped += dropped;
      this.opts.log.warn(
        {
          segment: seg.path,
          droppedEvents: dropped,
          droppedTotal: this.boundDropped,
          maxBytes: this.opts.maxBytes,
        },
        'durable log over GATEWAY_DATA_MAX_BYTES: oldest segment deleted, its unacknowledged events dropped',
      );
    }
  }

  /**
   * A batch could not be written (disk full, I/O error): the segment is cut back to where the batch
   * began, so no half-batch sits before later ones, and the batch is tried again in a second. Links
   * keep waiting for it meanwhile (their neighbours keep what was not acknowledged).
   */
  private failed(
    seg: Segment,
    before: number,
    batch: { chunks: Buffer[]; gates: boolean; release: Map<DurableSubscription, number> },
    err: Error,
  ): void {
    const { chunks, gates } = batch;
    this.writeErrors++;
    if (this.lastError !== err.message) {
      this.lastError = err.message;
      this.opts.log.error({ err: err.message, segment: seg.path }, 'durable log write failed; retrying');
    }
    try {
      const fd = openSync(seg.path, 'r+');
      try {
        ftruncateSync(fd, before);
      } finally {
        closeSync(fd);
      }
    } catch {
      // The retry's own error says more than this one would.
    }
    seg.bytes = before;
    // Its COMMIT goes again too, and a fresh one follows: a repeated position is harmless.
    this.pending = [...chunks, ...this.pending];
    this.pendingGates ||= gates;
    // Its events still wait for the disk before they go to their clients.
    for (const [sub, seq] of batch.release)
      this.pendingRelease.set(sub, Math.max(seq, this.pendingRelease.get(sub) ?? 0));
    if (!this.closed) this.timer = setTimeout(() => this.cut(), RETRY_AFTER_ERROR_MS);
  }

  /** Batches finish in order, and a failed one is written again within a later one. */
  private eventsDurable(upTo: number): void {
    if (upTo <= this.durableEvents) return;
    this.durableEvents = upTo;
    let n = 0;
    while (n < this.eventWaiters.length && this.eventWaiters[n].mark <= upTo) n++;
    if (n > 0) for (const w of this.eventWaiters.splice(0, n)) w.done();
  }

  private wakeIdle(): void {
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Resolves once everything appended so far is durable (tests, graceful stop). */
  async flushed(): Promise<void> {
    while (this.pending.length > 0 || this.dirty.size > 0 || this.segments.busy) {
      await new Promise<void>((resolve) => {
        this.idleWaiters.push(resolve);
        if (!this.segments.busy) {
          if (this.timer) clearTimeout(this.timer);
          this.cut();
        }
      });
    }
  }

  /** Graceful stop: writes what is left and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flushed();
    this.closed = true;
    // Everything appended is on disk now (flushed): nobody waits for more.
    this.eventsDurable(this.appendedEvents);
    if (this.timer) clearTimeout(this.timer);
    this.segments.close();
  }
}
