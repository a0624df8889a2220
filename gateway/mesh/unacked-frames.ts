/**
 * The frames a mesh link has sent and its neighbour has not acknowledged yet (link.ts), oldest
 * first: per frame its sequence number and where its bytes lie (a buffer, an offset, a length).
 *
 * Kept in typed arrays used as a ring, not as an object per frame: under load a link holds
 * thousands of frames for longer than a young-generation collection takes to come round, so an
 * object and a Buffer view per frame all went to V8's old generation and stayed there as garbage
 * until a full collection (about 30 MB in one run of `npm run bench:gateway` scenario (2), most of
 * gateway A's peak above its live data). Here a frame costs a few slots in arrays that live as
 * long as the link.
 */

const INITIAL_CAPACITY = 1024;

export class UnackedFrames {
  private seqs = new Float64Array(INITIAL_CAPACITY);
  private offsets = new Uint32Array(INITIAL_CAPACITY);
  private lengths = new Uint32Array(INITIAL_CAPACITY);
  /** The buffer each frame lies in: mostly the same few arena chunks, referenced, not copied. */
  private bufs: (Buffer | undefined)[] = new Array<Buffer | undefined>(INITIAL_CAPACITY).fill(undefined);
  /** Capacity - 1 (capacity is a power of two). */
  private mask = INITIAL_CAPACITY - 1;
  private head = 0;
  private size = 0;
  private byteCount = 0;

  get count(): number {
    return this.size;
  }

  /** Bytes of all frames held. */
  get bytes(): number {
    return this.byteCount;
  }

  /** Appends the frame of `seq`: `length` bytes of `buf` from `offset` (sequences only increase). */
  push(seq: number, buf: Buffer, offset: number, length: number): void {
    if (this.size > this.mask) this.grow();
    const i = (this.head + this.size) & this.mask;
    this.seqs[i] = seq;
    this.offsets[i] = offset;
    this.lengths[i] = length;
    this.bufs[i] = buf;
    this.size++;
    this.byteCount += length;
  }

  /** Sequence number of the `k`-th oldest frame. */
  seqAt(k: number): number {
    return this.seqs[(this.head + k) & this.mask];
  }

  /** The `k`-th oldest frame's bytes, as a view (for a replay or a reroute, not per message). */
  frameAt(k: number): Buffer {
    const i = (this.head + k) & this.mask;
    return this.bufs[i]!.subarray(this.offsets[i], this.offsets[i] + this.lengths[i]);
  }

  /** Forgets the oldest frame; returns its sequence number. */
  shift(): number {
    const i = this.head;
    const seq = this.seqs[i];
    this.byteCount -= this.lengths[i];
    this.bufs[i] = undefined; // the chunk may be let go once no frame of it is held
    this.head = (i + 1) & this.mask;
    this.size--;
    return seq;
  }

  /** Forgets every frame up to and including `seq`. */
  dropThrough(seq: number): void {
    while (this.size > 0 && this.seqs[this.head] <= seq) this.shift();
  }

  clear(): void {
    while (this.size > 0) this.shift();
    this.head = 0;
  }

  /**
   * Housekeeping: after a burst, an array sized for it is given back once few frames are left
   * (a link that held 200,000 frames would otherwise keep 5 MB of slots).
   */
  trim(): void {
    const capacity = this.mask + 1;
    if (capacity > INITIAL_CAPACITY && this.size * 8 < capacity)
      this.resize(Math.max(INITIAL_CAPACITY, capacity / 4));
  }

  private grow(): void {
    this.resize((this.mask + 1) * 2);
  }

  private resize(capacity: number): void {
    const seqs = new Float64Array(capacity);
    const offsets = new Uint32Array(capacity);
    const lengths = new Uint32Array(capacity);
    const bufs = new Array<Buffer | undefined>(capacity).fill(undefined);
    for (let k = 0; k < this.size; k++) {
      const i = (this.head + k) & this.mask;
      seqs[k] = this.seqs[i];
      offsets[k] = this.offsets[i];
      lengths[k] = this.lengths[i];
      bufs[k] = this.bufs[i];
    }
    this.seqs = seqs;
    this.offsets = offsets;
    this.lengths = lengths;
    this.bufs = bufs;
    this.mask = capacity - 1;
    this.head = 0;
  }
}
