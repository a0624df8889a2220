/**
 * The files of the durable log: numbered segments in one folder, appended to one at a time. A
 * batch is written with one `writev` and made durable with one `fdatasync` on the libuv pool, so
 * the event loop never waits for the disk; one batch is on its way at a time and the next gathers
 * meanwhile (group commit). Old segments are deleted from the front only: a later segment begins
 * with a snapshot of every subscription, so the front can go without taking a definition with it.
 */
import {
  closeSync,
  fdatasync,
  fsyncSync,
  openSync,
  unlinkSync,
  writev,
  writeSync,
  fdatasyncSync,
} from 'node:fs';
import { join } from 'node:path';
import { segmentName, type RecoveredSegment } from './recovery';

export interface Segment {
  id: number;
  path: string;
  bytes: number;
  /** Highest event sequence per subscription written here. */
  maxSeq: Map<string, number>;
}

export class Segments {
  readonly list: Segment[];
  private fd: number;
  private writing = false;

  constructor(
    private readonly dir: string,
    recovered: RecoveredSegment[],
  ) {
    this.list = recovered.map((s) => ({ ...s }));
    if (this.list.length === 0) this.list.push(this.create(1));
    this.fd = openSync(this.current.path, 'a');
  }

  get current(): Segment {
    return this.list[this.list.length - 1];
  }

  get totalBytes(): number {
    let n = 0;
    for (const s of this.list) n += s.bytes;
    return n;
  }

  get busy(): boolean {
    return this.writing;
  }

  /** Starts a new segment; the caller writes a snapshot at its head. Only between batches. */
  rotate(): void {
    if (this.writing) throw new Error('durable log: rotate while a batch is being written');
    closeSync(this.fd);
    const next = this.create(this.current.id + 1);
    this.list.push(next);
    this.fd = openSync(next.path, 'a');
  }

  /** Deletes the oldest segment (never the current one); returns it. */
  dropOldest(): Segment | undefined {
    if (this.list.length < 2) return undefined;
    const s = this.list.shift()!;
    unlinkSync(s.path);
    return s;
  }

  /** Writes one batch and makes it durable; `done` runs once it is (or with the error). */
  write(chunks: Buffer[], done: (err: Error | null) => void): void {
    this.writing = true;
    const seg = this.current;
    const fd = this.fd;
    let bytes = 0;
    for (const c of chunks) bytes += c.length;
    seg.bytes += bytes;
    writeAll(fd, chunks, (err) => {
      if (err) {
        this.writing = false;
        return done(err);
      }
      fdatasync(fd, (syncErr) => {
        this.writing = false;
        done(syncErr);
      });
    });
  }

  /** Writes one batch at once, blocking (graceful stop, after the last async one finished). */
  writeNow(chunks: Buffer[]): void {
    for (const c of chunks) {
      let off = 0;
      while (off < c.length) off += writeSync(this.fd, c, off);
      this.current.bytes += c.length;
    }
    fdatasyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }

  /** A new, empty segment file, with the folder synced so the file itself survives a crash. */
  private create(id: number): Segment {
    const path = join(this.dir, segmentName(id));
    closeSync(openSync(path, 'a'));
    const dirFd = openSync(this.dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
    return { id, path, bytes: 0, maxSeq: new Map() };
  }
}

/** `writev` until every byte is written (it may write less than asked). */
function writeAll(fd: number, chunks: Buffer[], done: (err: Error | null) => void): void {
  writev(fd, chunks, (err, written) => {
    if (err) return done(err);
    let rest = written;
    let i = 0;
    while (i < chunks.length && rest >= chunks[i].length) rest -= chunks[i++].length;
    if (i === chunks.length) return done(null);
    const left = [chunks[i].subarray(rest), ...chunks.slice(i + 1)];
    writeAll(fd, left, done);
  });
}
