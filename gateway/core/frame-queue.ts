/**
 * The frames waiting for one client past its transport window (outbound.ts). Events are copied as
 * bytes into large chunks, their boundaries kept in plain number arrays: no object per event. A
 * stuck client gets a frame for every event and loses most of them to the bound, so per-frame
 * Buffers were garbage promoted to the old generation and collected at full cost, which took CPU
 * from every other client and raised the gateway's RSS (docs/loss.md "Slow consumers"). Control
 * frames, which are rare and never dropped, stay Buffers of their own.
 *
 * A chunk no waiting event is in is reused. One that frames were written from may still be read
 * by a transport write (a view of its bytes waits for the socket), so it is retired until the
 * connection has drained (nothing handed to it is pending any more: `transportDrained`); one whose
 * frames were all dropped is reused at once. Let go instead, as chunks were before, they lived
 * past young-generation collections under load and waited as garbage for a full one: 16–20 MB of
 * them at gateway A's peak in `npm run bench:gateway` (1). Spares are kept up to what the busiest
 * stretch since the last `trim` held, so an idle client gives them back.
 */
import { PREFIX_BYTES, putFrame } from '../protocol/frames';

const CHUNK_BYTES = 256 * 1024;
/** What a frame's bookkeeping costs, counted against the bound along with its bytes. */
export const ENTRY_OVERHEAD_BYTES = 40;
/** At most this much in one view, so a write overshoots the transport window by little. */
const MAX_RUN_BYTES = 64 * 1024;
const DROPPED = -1;
const CONTROL = 0;
/** Spare chunks a quiet client keeps. */
const MIN_SPARE_CHUNKS = 1;
/**
 * Retired chunks kept for reuse at most: a connection that stays busy without ever draining gets
 * more than this back to the collector, as before, instead of holding them.
 */
const MAX_RETIRED_CHUNKS = 8;

export class FrameQueue {
  private chunks: Buffer[] = [];
  /** Chunks with no waiting event, perhaps still read by a write the transport has not finished. */
  private retired: Buffer[] = [];
  /** Absolute index of the newest chunk a frame was written from. */
  private writtenFrom = -1;
  /** Chunks safe to fill again. */
  private spare: Buffer[] = [];
  /** Most chunks held (waiting and retired) at once since the last `trim`. */
  private busiest = 0;
  /** Absolute index of chunks[0]; chunks below it were freed. */
  private chunkBase = 0;
  private fill = CHUNK_BYTES;
  // Per frame: subscription id (CONTROL: never dropped, DROPPED), chunk (absolute), offset, length;
  // a control frame's own Buffer in `control`.
  private sub: number[] = [];
  private chunkOf: number[] = [];
  private offset: number[] = [];
  private length: number[] = [];
  private control: (Buffer | null)[] = [];
  private head = 0;
  /** Frames in [head, dropFrom) are all dropped or control: the next drop pass starts here. */
  private dropFrom = 0;
  /** Bytes of waiting frames plus their bookkeeping. */
  bytes = 0;

  /** Bytes of the chunks held (tests check that a stuck client holds no more than its bound). */
  get heldBytes(): number {
    let n = 0;
    for (const c of this.chunks) n += c.length;
    for (const c of this.retired) n += c.length;
    return n;
  }

  get empty(): boolean {
    return this.head === this.sub.length;
  }

  /** Queue an event's frame (`head` + `payload`, copied) for subscription `subId` (> 0). */
  pushEvent(head: Uint8Array, payload: Uint8Array, subId: number): void {
    const size = PREFIX_BYTES + head.length + payload.length;
    let chunk = this.chunks[this.chunks.length - 1];
    if (!chunk || this.fill + size > chunk.length) {
      chunk =
        (size <= CHUNK_BYTES && this.spare.pop()) || Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, size));
      this.chunks.push(chunk);
      this.fill = 0;
      this.busiest = Math.max(this.busiest, this.chunks.length + this.retired.length);
    }
    putFrame(chunk, this.fill, head, payload);
    this.add(subId, this.chunkBase + this.chunks.length - 1, this.fill, size, null);
    this.fill += size;
  }

  /** Queue a frame that is never dropped (a reply, a notice, a durable event). */
  pushControl(frame: Buffer): void {
    this.add(CONTROL, -1, 0, frame.length, frame);
  }

  private add(sub: number, chunk: number, offset: number, length: number, control: Buffer | null): void {
    this.sub.push(sub);
    this.chunkOf.push(chunk);
    this.offset.push(offset);
    this.length.push(length);
    this.control.push(control);
    this.bytes += length + ENTRY_OVERHEAD_BYTES;
  }

  /**
   * Drop the oldest events until `bytes` is at most `target`, control frames kept in place; adds
   * what was dropped per subscription to `dropped` and returns the total.
   */
  dropOldest(target: number, dropped: Map<number, number>): number {
    let n = 0;
    let i = Math.max(this.head, this.dropFrom);
    for (; i < this.sub.length && this.bytes > target; i++) {
      const s = this.sub[i];
      if (s === CONTROL || s === DROPPED) continue;
      this.sub[i] = DROPPED;
      this.bytes -= this.length[i] + ENTRY_OVERHEAD_BYTES;
      dropped.set(s, (dropped.get(s) ?? 0) + 1);
      n++;
    }
    this.dropFrom = i;
    this.compact();
    return n;
  }

  /**
   * Hand frames to `write`, oldest first, while `hasRoom()`; back-to-back events of one chunk go
   * as one view of at most MAX_RUN_BYTES. Returns true when nothing waits any more.
   */
  drain(write: (bytes: Buffer) => void, hasRoom: () => boolean): boolean {
    while (this.head < this.sub.length && hasRoom()) {
      const s = this.sub[this.head];
      if (s === DROPPED) {
        this.head++;
        continue;
      }
      if (s === CONTROL) {
        write(this.control[this.head]!);
        this.bytes -= this.length[this.head] + ENTRY_OVERHEAD_BYTES;
        this.control[this.head++] = null;
        continue;
      }
      const c = this.chunkOf[this.head];
      const start = this.offset[this.head];
      let end = start;
      while (
        this.head < this.sub.length &&
        this.sub[this.head] > 0 &&
        this.chunkOf[this.head] === c &&
        this.offset[this.head] === end &&
        (end === start || end - start + this.length[this.head] <= MAX_RUN_BYTES)
      ) {
        end += this.length[this.head];
        this.bytes -= this.length[this.head] + ENTRY_OVERHEAD_BYTES;
        this.head++;
      }
      write(this.chunks[c - this.chunkBase].subarray(start, end));
      this.writtenFrom = c;
    }
    this.dropFrom = Math.max(this.dropFrom, this.head);
    this.compact();
    return this.empty;
  }

  /** Free chunks no waiting event is in, and the bookkeeping of frames gone. */
  private compact(): void {
    if (this.empty) {
      this.sub = [];
      this.chunkOf = [];
      this.offset = [];
      this.length = [];
      this.control = [];
      this.head = this.dropFrom = 0;
      // The last chunk stays to fill on; the others are retired.
      const keep = this.chunks.length > 0 ? 1 : 0;
      this.retire(this.chunks.length - keep);
      return;
    }
    // Every waiting event is at dropFrom or later (before it: dropped or control).
    let i = this.dropFrom;
    while (i < this.sub.length && this.sub[i] === CONTROL) i++;
    const freeUpTo = i < this.sub.length ? this.chunkOf[i] - this.chunkBase : this.chunks.length - 1;
    if (freeUpTo > 0) this.retire(freeUpTo);
    // Rebuilt once what is gone outweighs what waits, so each frame is copied O(1) times.
    if (this.dropFrom > 4096 && this.dropFrom > this.sub.length - this.dropFrom) this.squeeze();
  }

  /** The oldest `n` chunks hold no waiting event any more. */
  private retire(n: number): void {
    const room = Math.max(MIN_SPARE_CHUNKS, this.busiest);
    for (let k = 0; k < n; k++) {
      const chunk = this.chunks[k];
      if (chunk.length !== CHUNK_BYTES) continue;
      if (this.chunkBase + k <= this.writtenFrom) {
        if (this.retired.length < MAX_RETIRED_CHUNKS) this.retired.push(chunk);
      } else if (this.spare.length < room) this.spare.push(chunk);
    }
    this.chunks.splice(0, n);
    this.chunkBase += n;
  }

  /**
   * The connection has nothing pending: no write reads a retired chunk any more, so they can be
   * filled again (up to the busiest stretch's need; the rest go to the collector).
   */
  transportDrained(): void {
    if (this.retired.length === 0) return;
    const room = Math.max(MIN_SPARE_CHUNKS, this.busiest) - this.spare.length;
    for (let i = 0; i < this.retired.length && i < room; i++) this.spare.push(this.retired[i]);
    this.retired = [];
  }

  /** Housekeeping, every few seconds: spares beyond the last stretch's need go to the collector. */
  trim(): void {
    const inUse = this.chunks.length + this.retired.length;
    const keep = Math.max(MIN_SPARE_CHUNKS, this.busiest - inUse);
    if (this.spare.length > keep) this.spare.length = keep;
    this.busiest = inUse;
  }

  /** Chunks kept for reuse (tests check that a quiet client gives them back). */
  get spareCount(): number {
    return this.spare.length;
  }

  /** Rebuild the bookkeeping without the frames before dropFrom that are gone (waiting controls stay). */
  private squeeze(): void {
    const keep: number[] = [];
    for (let i = this.head; i < this.dropFrom; i++) if (this.sub[i] === CONTROL) keep.push(i);
    const pick = <T>(a: T[]): T[] => [...keep.map((i) => a[i]), ...a.slice(this.dropFrom)];
    this.sub = pick(this.sub);
    this.chunkOf = pick(this.chunkOf);
    this.offset = pick(this.offset);
    this.length = pick(this.length);
    this.control = pick(this.control);
    this.head = 0;
    this.dropFrom = keep.length;
  }
}
