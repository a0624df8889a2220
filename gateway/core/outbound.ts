/**
 * Per-client outbound path with slow-consumer protection (docs/protocol.md §4). Frames go straight to
 * the transport while it keeps up; past its window they wait here, bounded by
 * CLIENT_MAX_QUEUE_BYTES: past it the oldest *events* are dropped and counted at once, and the
 * client is told (DROPPED) when it has caught up. Control frames are never dropped, and durable
 * subscriptions never hand over more than there is room for (they keep their events themselves),
 * so one slow client never holds memory or time from the gateway or other clients.
 */
import { encodeFrameHead } from '../protocol/frames';
import type { Connection } from '../transport/transport';
import type { GatewayStats } from './stats';

/**
 * The transport window: what may sit in the transport (socket or native stream) beyond this turn
 * before frames wait here. It comes on top of CLIENT_MAX_QUEUE_BYTES, and is what lets a reader
 * that is merely busy for a moment take a burst without losing anything.
 */
export const TRANSPORT_WINDOW_BYTES = 1024 * 1024;

export class Outbound {
  private frames: Buffer[] = [];
  /** Subscription id for droppable event frames, 0 for frames that must not be dropped. */
  private subIds: number[] = [];
  private head = 0;
  private queuedBytes = 0;
  private readonly droppedBySub = new Map<number, number>();
  private readonly writable = new Set<() => void>();
  private readonly highWater: number;
  droppedTotal = 0;

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
    conn.onDrain(() => this.pump());
  }

  get depthBytes(): number {
    return this.queuedBytes + this.conn.pendingBytes;
  }

  /** True when a frame written now goes straight to the transport. */
  get hasRoom(): boolean {
    return this.head === this.frames.length && this.conn.pendingBytes < this.highWater;
  }

  /** Run `callback` once the queue has drained below the high-water mark again. */
  whenWritable(callback: () => void): void {
    this.writable.add(callback);
  }

  /** Send a frame that must not be dropped (control, durable events). */
  control(frame: Buffer): void {
    this.enqueue(frame, 0);
  }

  /**
   * Send an event for subscription `subId` (droppable when the client is too slow) as its encoded
   * header and payload: while the transport keeps up they are copied once into it, and a frame of
   * its own is built only when it has to wait here.
   */
  event(head: Buffer, payload: Buffer, subId: number): void {
    if (this.hasRoom) {
      this.stats?.countOutParts(head, payload.length);
      this.conn.writeFrame(head, payload);
      return;
    }
    this.enqueue(encodeFrameHead(head, payload), subId);
  }

  private enqueue(frame: Buffer, subId: number): void {
    this.stats?.countOut(frame);
    if (this.hasRoom) {
      this.conn.write(frame);
      return;
    }
    this.frames.push(frame);
    this.subIds.push(subId);
    this.queuedBytes += frame.length;
    if (this.queuedBytes > this.maxQueueBytes) {
      this.dropOldestEvents();
      if (this.queuedBytes > this.maxQueueBytes) this.onOverflow();
    } else if (this.conn.pendingBytes < this.highWater) this.pump();
  }

  private dropOldestEvents(): void {
    // Drop events from the front until under 3/4 of the bound, keeping the other frames in order.
    const target = (this.maxQueueBytes * 3) / 4;
    const keptFrames: Buffer[] = [];
    const keptSubs: number[] = [];
    let dropped = 0;
    let i = this.head;
    for (; i < this.frames.length && this.queuedBytes > target; i++) {
      const sub = this.subIds[i];
      if (sub === 0) {
        keptFrames.push(this.frames[i]);
        keptSubs.push(0);
        continue;
      }
      this.queuedBytes -= this.frames[i].length;
      this.droppedBySub.set(sub, (this.droppedBySub.get(sub) ?? 0) + 1);
      dropped++;
    }
    this.frames = keptFrames.concat(this.frames.slice(i));
    this.subIds = keptSubs.concat(this.subIds.slice(i));
    this.head = 0;
    if (dropped > 0) {
      this.droppedTotal += dropped;
      this.onDropCount(dropped);
    }
  }

  private pump(): void {
    while (this.head < this.frames.length && this.conn.pendingBytes < this.highWater) {
      const frame = this.frames[this.head];
      this.conn.write(frame);
      this.queuedBytes -= frame.length;
      this.head++;
    }
    if (this.head === this.frames.length) {
      this.frames = [];
      this.subIds = [];
      this.head = 0;
    } else if (this.head > 4096) {
      this.frames = this.frames.slice(this.head);
      this.subIds = this.subIds.slice(this.head);
      this.head = 0;
    }
    if (this.head !== this.frames.length) return;
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
