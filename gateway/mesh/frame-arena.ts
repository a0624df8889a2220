/**
 * Memory for the frames a mesh link keeps until its neighbour acknowledges them (link.ts).
 *
 * Under load a link holds thousands of frames for a few milliseconds each: long enough to survive
 * V8's young-generation collections, so as separate Buffers they all went to the old generation and
 * stayed there as garbage until the next full collection (gateway A's peak RSS in `npm run
 * bench:gateway` (2) was mostly that). Here frames are cut from large chunks in sequence order, and
 * a chunk is reused as soon as the neighbour has acknowledged its last frame, which no collection
 * has to notice.
 *
 * Safe to reuse on acknowledgement, on one connection: the neighbour cannot acknowledge a frame
 * before this connection wrote it, so no queued or in-flight write of it still reads an
 * acknowledged chunk. Acknowledgements that arrive on a later connection say nothing about what an
 * earlier one still has queued (a replaced connection keeps flushing while it closes), so when the
 * link loses its connection every chunk so far is abandoned: it leaves the arena without reuse
 * and the collector frees it once no frame or write refers to it. A caller that keeps a frame's
 * bytes past its acknowledgement must copy them.
 */
export const CHUNK_BYTES = 256 * 1024;
/** Spare chunks kept for reuse; more go to the collector. */
const SPARE_CHUNKS = 4;

interface Chunk {
  buf: Buffer;
  used: number;
  /** Sequence number of the last frame cut from this chunk. */
  lastSeq: number;
}

export class FrameArena {
  /** Chunks in sequence order; the last one is the one frames are cut from. */
  private chunks: Chunk[] = [];
  private spare: Buffer[] = [];

  /** `size` bytes for the frame with sequence number `seq` (sequence numbers only increase). */
  alloc(size: number, seq: number): Buffer {
    let chunk = this.chunks[this.chunks.length - 1];
    if (!chunk || chunk.buf.length - chunk.used < size) {
      // A frame larger than a chunk gets a chunk of its own size, released the same way.
      const buf =
        size <= CHUNK_BYTES
          ? (this.spare.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES))
          : Buffer.allocUnsafeSlow(size);
      chunk = { buf, used: 0, lastSeq: seq };
      this.chunks.push(chunk);
    }
    const out = chunk.buf.subarray(chunk.used, chunk.used + size);
    chunk.used += size;
    chunk.lastSeq = seq;
    return out;
  }

  /** Undo the last `alloc` (a frame that was refused before anyone saw it). */
  giveBack(frame: Buffer): void {
    const chunk = this.chunks[this.chunks.length - 1];
    if (
      chunk &&
      frame.buffer === chunk.buf.buffer &&
      frame.byteOffset + frame.length === chunk.buf.byteOffset + chunk.used
    )
      chunk.used -= frame.length;
  }

  /**
   * Frames up to `seq` were given up while still perhaps queued on the connection: their chunks
   * leave the arena without reuse, so the collector frees them once no write refers to them.
   */
  forget(seq: number): void {
    let n = 0;
    while (n < this.chunks.length - 1 && this.chunks[n].lastSeq <= seq) n++;
    this.chunks.splice(0, n);
  }

  /** The neighbour has every frame up to `seq`: chunks holding nothing newer are reused. */
  release(seq: number): void {
    let n = 0;
    while (n < this.chunks.length && this.chunks[n].lastSeq <= seq) n++;
    if (n === 0) return;
    for (const chunk of this.chunks.splice(0, n)) this.recycle(chunk.buf);
  }

  /** The connection these frames were written to is gone: no chunk so far may be reused. */
  abandon(): void {
    this.chunks = [];
  }

  /** Everything is acknowledged or given up. */
  releaseAll(): void {
    for (const chunk of this.chunks) this.recycle(chunk.buf);
    this.chunks = [];
  }

  /** Bytes held in chunks (spares not counted). */
  get heldBytes(): number {
    let n = 0;
    for (const chunk of this.chunks) n += chunk.buf.length;
    return n;
  }

  private recycle(buf: Buffer): void {
    if (buf.length === CHUNK_BYTES && this.spare.length < SPARE_CHUNKS) this.spare.push(buf);
  }
}
