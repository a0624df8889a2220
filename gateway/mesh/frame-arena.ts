/**
 * Memory for the frames a mesh link keeps until its neighbour acknowledges them (link.ts).
 *
 * Under load a link holds thousands of frames for a few milliseconds each: long enough to survive
 * V8's young-generation collections, so as separate Buffers they all went to the old generation and
 * stayed there as garbage until the next full collection (gateway A's peak RSS in `npm run
 * bench:gateway` (2) was mostly that). Here frames are cut from large chunks in sequence order, and
 * a chunk is reused as soon as the neighbour has acknowledged its last frame, which no collection
 * has to notice. A frame is an offset into its chunk (`cut`), not an object of its own.
 *
 * Spare chunks are kept up to what the link needed at its busiest in the last housekeeping
 * period (`trim`): a link whose unacknowledged bytes swing between a few and a few dozen chunks
 * reuses them all, where a fixed handful of spares let the rest go as garbage (34 MB of chunks
 * in one run of scenario (2), all of it old by the time it was freed). An idle link keeps a few.
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
/** Spare chunks an idle link keeps for reuse. */
const MIN_SPARE_CHUNKS = 4;

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
  /** Most chunks in use at once since the last `trim`. */
  private busiest = 0;
  /** Where the frame of the last `cut` starts in the buffer it returned. */
  cutAt = 0;

  /** `size` bytes for the frame with sequence number `seq` (sequence numbers only increase). */
  alloc(size: number, seq: number): Buffer {
    const buf = this.cut(size, seq);
    return buf.subarray(this.cutAt, this.cutAt + size);
  }

  /**
   * Like `alloc`, without a Buffer object per frame: returns the chunk, and the frame's bytes are
   * `size` bytes from `cutAt`.
   */
  cut(size: number, seq: number): Buffer {
    let chunk = this.chunks[this.chunks.length - 1];
    if (!chunk || chunk.buf.length - chunk.used < size) {
      // A frame larger than a chunk gets a chunk of its own size, released the same way.
      const buf =
        size <= CHUNK_BYTES
          ? (this.spare.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES))
          : Buffer.allocUnsafeSlow(size);
      chunk = { buf, used: 0, lastSeq: seq };
      if (this.chunks.push(chunk) > this.busiest) this.busiest = this.chunks.length;
    }
    this.cutAt = chunk.used;
    chunk.used += size;
    chunk.lastSeq = seq;
    return chunk.buf;
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

  /** Chunks kept for reuse (tests check that an idle link gives them back). */
  get spareCount(): number {
    return this.spare.length;
  }

  /**
   * Housekeeping, every few hundred milliseconds: keep as many spares as the busiest moment since
   * the last call would have needed on top of what is in use now, at least MIN_SPARE_CHUNKS. A
   * link that went quiet gives its chunks back within two periods.
   */
  trim(): void {
    const keep = Math.max(MIN_SPARE_CHUNKS, this.busiest - this.chunks.length);
    if (this.spare.length > keep) this.spare.length = keep;
    this.busiest = this.chunks.length;
  }

  private recycle(buf: Buffer): void {
    // Never more spares than chunks were ever in use at once: the bound the link's replay buffer
    // already puts on its chunks holds for the spares too.
    if (buf.length === CHUNK_BYTES && this.spare.length < Math.max(MIN_SPARE_CHUNKS, this.busiest))
      this.spare.push(buf);
  }
}
