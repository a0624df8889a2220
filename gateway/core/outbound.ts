/**
 * Per-client outbound path with slow-consumer protection (gateway.md §4). Frames go straight to
 * the transport while it keeps up; past a high-water mark they wait here, and past the client's
 * byte bound the oldest *events* are dropped and counted (control frames are never dropped), so
 * one slow client never holds memory or time from the gateway or other clients.
 */
import type { Connection } from '../transport/transport';

const HIGH_WATER_BYTES = 1024 * 1024;

export class Outbound {
  private frames: Buffer[] = [];
  /** Subscription id for droppable event frames, 0 for control frames. */
  private subIds: number[] = [];
  private head = 0;
  private queuedBytes = 0;
  private readonly droppedBySub = new Map<number, number>();
  droppedTotal = 0;

  constructor(
    private readonly conn: Connection,
    private readonly maxQueueBytes: number,
    private readonly onDropped: (counts: Map<number, number>) => void,
  ) {
    conn.onDrain(() => this.pump());
  }

  get depthBytes(): number {
    return this.queuedBytes + this.conn.pendingBytes;
  }

  /** Send a control frame (never dropped). */
  control(frame: Buffer): void {
    this.enqueue(frame, 0);
  }

  /** Send an event frame for subscription `subId` (droppable when the client is too slow). */
  event(frame: Buffer, subId: number): void {
    this.enqueue(frame, subId);
  }

  private enqueue(frame: Buffer, subId: number): void {
    if (this.head === this.frames.length && this.conn.pendingBytes < HIGH_WATER_BYTES) {
      this.conn.write(frame);
      return;
    }
    this.frames.push(frame);
    this.subIds.push(subId);
    this.queuedBytes += frame.length;
    if (this.queuedBytes > this.maxQueueBytes) this.dropOldestEvents();
  }

  private dropOldestEvents(): void {
    // Drop events from the front until under 3/4 of the bound, keeping control frames in order.
    const target = (this.maxQueueBytes * 3) / 4;
    const keptFrames: Buffer[] = [];
    const keptSubs: number[] = [];
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
      this.droppedTotal++;
    }
    this.frames = keptFrames.concat(this.frames.slice(i));
    this.subIds = keptSubs.concat(this.subIds.slice(i));
    this.head = 0;
  }

  private pump(): void {
    while (this.head < this.frames.length && this.conn.pendingBytes < HIGH_WATER_BYTES) {
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
    if (this.droppedBySub.size > 0 && this.head === this.frames.length) {
      // Tell the client what it missed once it has caught up.
      const counts = new Map(this.droppedBySub);
      this.droppedBySub.clear();
      this.onDropped(counts);
    }
  }
}
