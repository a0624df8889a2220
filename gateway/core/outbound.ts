/**
 * Per-client outbound path with slow-consumer protection (docs/protocol.md §4). Frames go straight to
 * the transport while it keeps up; past its window they wait here, bounded by
 * CLIENT_MAX_QUEUE_BYTES: past it the oldest *events* are dropped and counted at once (the newest,
 * for a client that takes nothing at all: `stalled`), and the client is told (DROPPED) when it
 * has caught up. Control frames are never dropped, and durable
 * subscriptions never hand over more than there is room for (they keep their events themselves),
 * so one slow client never holds memory or time from the gateway or other clients.
 */
import { FrameQueue } from './frame-queue';
import type { Connection } from '../transport/transport';
import type { GatewayStats } from './stats';

/**
 * The transport window: what may sit in the transport (socket or native stream) beyond this turn
 * before frames wait here. It comes on top of CLIENT_MAX_QUEUE_BYTES, and is what lets a reader
 * that is merely busy for a moment take a burst without losing anything.
 */
export const TRANSPORT_WINDOW_BYTES = 1024 * 1024;

export class Outbound {
  /** What waits past the transport window (frame-queue.ts). */
  private readonly queue = new FrameQueue();
  private readonly droppedBySub = new Map<number, number>();
  private readonly writable = new Set<() => void>();
  private readonly highWater: number;
  droppedTotal = 0;
  private readonly writeQueued: (bytes: Buffer) => void;
  /** Queued frames went to the transport since the last drop pass: the client reads, however slowly. */
  private progressed = true;
  /**
   * Two drop passes with no drain between: the client takes nothing at all. Its new events are
   * then counted as dropped at once instead of being copied into the queue only to be dropped a
   * pass later, so a stuck client costs the gateway a counter per event and takes no CPU from the
   * others (docs/loss.md "Slow consumers"). What waits stays; the first drain ends it.
   */
  private stalled = false;

  constructor(
    private readonly conn: Connection,
    private readonly maxQueueBytes: number,
    /** Called when events were dropped (count), and again per subscription once caught up. */
    private readonly onDropped: (counts: Map<number, number>) => void,
    private readonly onDropCount: (count: number) => void = () => undefined,
    /** Past the bound with nothing left to drop (only replies and control frames): give up on it. */
    private readonly onOverflow: () => void = () => undefined,
    /** The gateway's counters: every frame handed over here is counted by kind. */
    private readonly stats?: GatewayStats,
  ) {
    this.highWater = TRANSPORT_WINDOW_BYTES;
    conn.onDrain(() => {
      // Nothing handed to the connection is pending: its chunks can be filled again.
      this.queue.transportDrained();
      this.stalled = false;
      this.pump();
    });
    this.writeQueued = (bytes) => conn.write(bytes);
  }

  get depthBytes(): number {
    return this.queue.bytes + this.conn.pendingBytes;
  }

  /** True when a frame written now goes straight to the transport. */
  get hasRoom(): boolean {
    return this.queue.empty && this.conn.pendingBytes < this.highWater;
  }

  /** Housekeeping (the gateway's liveness timer): queue memory kept for a burst that is over goes back. */
  trim(): void {
    this.queue.trim();
  }

  /** Run `callback` once the queue has drained below the high-water mark again. */
  whenWritable(callback: () => void): void {
    this.writable.add(callback);
  }

  /** Send a frame that must not be dropped (control, durable events). */
  control(frame: Buffer): void {
    this.stats?.countOut(frame);
    if (this.hasRoom) return this.conn.write(frame);
    this.queue.pushControl(frame);
    this.queued();
  }

  /**
   * Send an event for subscription `subId` (droppable when the client is too slow) as its encoded
   * header and payload: while the transport keeps up they are copied once into it, and otherwise
   * once into the queue's chunks.
   */
  event(head: Buffer, payload: Buffer, subId: number): void {
    if (this.stalled) {
      this.droppedBySub.set(subId, (this.droppedBySub.get(subId) ?? 0) + 1);
      this.droppedTotal++;
      this.onDropCount(1);
      return;
    }
    this.stats?.countOutParts(head, payload.length);
    if (this.hasRoom) return this.conn.writeFrame(head, payload);
    this.queue.pushEvent(head, payload, subId);
    this.queued();
  }

  private queued(): void {
    if (this.queue.bytes > this.maxQueueBytes) {
      this.dropOldestEvents();
      if (this.queue.bytes > this.maxQueueBytes) this.onOverflow();
    } else if (this.conn.pendingBytes < this.highWater) this.pump();
  }

  private dropOldestEvents(): void {
    if (!this.progressed) this.stalled = true;
    this.progressed = false;
    // Down to 3/4 of the bound, so that a stuck client costs one drop pass per quarter of it.
    const dropped = this.queue.dropOldest((this.maxQueueBytes * 3) / 4, this.droppedBySub);
    if (dropped > 0) {
      this.droppedTotal += dropped;
      this.onDropCount(dropped);
    }
  }

  private pump(): void {
    const before = this.queue.bytes;
    const drained = this.queue.drain(this.writeQueued, () => this.conn.pendingBytes < this.highWater);
    if (this.queue.bytes < before) this.progressed = true;
    if (!drained) return;
    if (this.droppedBySub.size > 0) {
      // Tell the client what it missed once it has caught up.
      const counts = new Map(this.droppedBySub);
      this.droppedBySub.clear();
      this.onDropped(counts);
    }
    if (this.writable.size > 0 && this.hasRoom) {
      const callbacks = [...this.writable];
      this.writable.clear();
      for (const cb of callbacks) cb();
    }
  }
}
