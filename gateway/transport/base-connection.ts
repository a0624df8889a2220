/**
 * What both transports share behind `Connection` (transport.ts): the per-turn write queue, the
 * handler slots, early-data buffering, exactly-once close reporting and drain detection. The
 * subclasses only move bytes: TLS hands the queue to a socket, QUIC to a quinn stream.
 */
import { PREFIX_BYTES, putFrame } from '../protocol/frames';
import type { Connection } from './transport';

/** Counters kept per connection; tests use `nativeWrites` to prove coalescing (docs/protocol.md §1). */
export interface ConnectionStats {
  /** Calls into the socket / native stream (one per flush, never one per `write`). */
  nativeWrites: number;
  bytesOut: number;
  bytesIn: number;
  /** Bytes passed to `write` after the connection had closed, dropped. */
  droppedAfterClose: number;
}

/**
 * Staging buffer sizes: one allocation carries many small frames, and a flush under load usually
 * hands over a single region of it, so no concatenation either.
 */
const STAGE_MIN = 1024;
const STAGE_MAX = 64 * 1024;

export abstract class BaseConnection implements Connection {
  readonly stats: ConnectionStats = { nativeWrites: 0, bytesOut: 0, bytesIn: 0, droppedAfterClose: 0 };
  abstract readonly remoteAddress: string;
  abstract readonly remoteIdentity: string | undefined;

  /** Chunks written in this turn (or while a native write is in flight), not yet handed over. */
  protected queue: Buffer[] = [];
  /**
   * Frames from writeFrame are appended here until the next flush takes them. What a flush handed
   * to the transport is never written again (the socket or native write may still read it).
   */
  private stage: Buffer | undefined;
  private stageStart = 0;
  private stageUsed = 0;
  /** Size of the next stage: what the last flush took, doubled, within STAGE_MIN..STAGE_MAX. */
  private stageBytes = STAGE_MIN;
  private stagedSinceFlush = 0;
  protected queuedBytes = 0;
  /** Set once `close()` or `destroy()` was called: no more writes are accepted. */
  protected ending = false;
  private flushScheduled = false;
  private dataHandler: ((chunk: Buffer) => void) | undefined;
  private earlyData: Buffer[] = [];
  private closeHandler: ((err?: Error) => void) | undefined;
  private drainHandler: (() => void) | undefined;
  private closedWith: { err: Error | undefined } | undefined;
  private aboveZero = false;

  write(chunk: Uint8Array): void {
    if (this.ending || this.closedWith) {
      this.stats.droppedAfterClose += chunk.byteLength;
      return;
    }
    if (chunk.byteLength === 0) return;
    this.sealStage();
    // A view, not a copy: like socket.write, the caller must not reuse `chunk` afterwards.
    this.queue.push(
      Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
    );
    this.queuedBytes += chunk.byteLength;
    this.aboveZero = true;
    this.scheduleFlush();
  }

  writeFrame(head: Uint8Array, payload: Uint8Array): void {
    const size = PREFIX_BYTES + head.length + payload.length;
    if (this.ending || this.closedWith) {
      this.stats.droppedAfterClose += size;
      return;
    }
    let stage = this.stage;
    if (!stage || stage.length - this.stageUsed < size) {
      this.sealStage();
      stage = this.stage = Buffer.allocUnsafe(Math.max(this.stageBytes, size));
      this.stageStart = this.stageUsed = 0;
    }
    this.stageUsed = putFrame(stage, this.stageUsed, head, payload);
    this.stagedSinceFlush += size;
    this.queuedBytes += size;
    this.aboveZero = true;
    this.scheduleFlush();
  }

  /** What writeFrame appended since the last seal joins the queue, keeping the order with `write`. */
  private sealStage(): void {
    if (this.stageUsed === this.stageStart) return;
    this.queue.push(this.stage!.subarray(this.stageStart, this.stageUsed));
    this.stageStart = this.stageUsed;
  }

  private dropStage(): void {
    this.stage = undefined;
    this.stageStart = this.stageUsed = 0;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // setImmediate, not nextTick: every write made while handling one batch of I/O callbacks
    // lands in the same flush.
    setImmediate(() => {
      this.flushScheduled = false;
      if (!this.closedWith) this.flush();
    });
  }

  abstract get pendingBytes(): number;

  /**
   * Bytes that arrived before the handler was set are delivered in a microtask, never from inside
   * this call: callers typically set the handler in a constructor before their own state is ready
   * (a QUIC hello riding in the same packet as the stream preamble was lost that way).
   */
  onData(handler: (chunk: Buffer) => void): void {
    this.dataHandler = handler;
    if (this.earlyData.length > 0) queueMicrotask(() => this.deliverEarlyData());
  }

  /** Set after the end, the handler is called in a microtask (not from inside this call). */
  onClose(handler: (err?: Error) => void): void {
    this.closeHandler = handler;
    const closed = this.closedWith;
    if (closed) queueMicrotask(() => handler(closed.err));
  }

  onDrain(handler: () => void): void {
    this.drainHandler = handler;
  }

  abstract close(): void;
  abstract destroy(err?: Error): void;
  abstract rttMs(): number | undefined;

  /** Hand everything queued to the transport now. */
  protected abstract flush(): void;

  /** Takes the whole queue as one buffer (no copy when it holds a single chunk). */
  protected takeQueued(): Buffer | undefined {
    const total = this.queuedBytes;
    const q = this.takeQueuedChunks();
    if (!q) return undefined;
    return q.length === 1 ? q[0] : Buffer.concat(q, total);
  }

  /**
   * Takes the whole queue as its chunks, in order, for a transport that copies them itself (the
   * ngtcp2 addon's write takes a list): joining them first would copy every byte once more.
   * Chunks that lie back to back in one ArrayBuffer come as one.
   */
  protected takeQueuedChunks(): Buffer[] | undefined {
    if (this.queuedBytes === 0) return undefined;
    this.sealStage();
    if (this.stage) {
      // A stage is let go at every flush, so an idle connection holds none; the next one is sized
      // by what this one took (small ones come from Node's shared buffer pool).
      this.stageBytes = Math.min(STAGE_MAX, Math.max(STAGE_MIN, this.stagedSinceFlush * 2));
      this.stagedSinceFlush = 0;
      this.dropStage();
    }
    const q = this.queue;
    const joined = q.length > 1 ? adjacent(q, this.queuedBytes) : undefined;
    this.queue = [];
    this.queuedBytes = 0;
    return joined ? [joined] : q;
  }

  protected emitData(chunk: Buffer): void {
    this.stats.bytesIn += chunk.byteLength;
    // Behind undelivered early data, wait in line to keep the order.
    if (this.dataHandler && this.earlyData.length === 0) this.dataHandler(chunk);
    else this.earlyData.push(chunk);
  }

  private deliverEarlyData(): void {
    const early = this.earlyData;
    this.earlyData = [];
    for (const chunk of early) this.dataHandler?.(chunk);
  }

  /** Queues transport-level bytes ahead of the caller's (no onDrain for them). */
  protected writeFirst(chunk: Buffer): void {
    this.queue.unshift(chunk);
    this.queuedBytes += chunk.byteLength;
    this.scheduleFlush();
  }

  /** Reports the end exactly once, whichever of close, destroy, error or timeout came first. */
  protected finish(err?: Error): void {
    if (this.closedWith) return;
    this.closedWith = { err };
    this.ending = true;
    this.queue = [];
    this.queuedBytes = 0;
    this.dropStage();
    this.closeHandler?.(err);
  }

  protected get isClosed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Call after bytes were handed over; fires `onDrain` when pending bytes reach zero again. */
  protected checkDrain(): void {
    if (this.aboveZero && this.pendingBytes === 0 && !this.closedWith) {
      this.aboveZero = false;
      this.drainHandler?.();
    }
  }
}

/**
 * One view over chunks that lie back to back in one ArrayBuffer (a mesh link's frames, cut in
 * order from its arena), so they go out without being copied; undefined when they do not.
 */
function adjacent(chunks: Buffer[], total: number): Buffer | undefined {
  const first = chunks[0];
  let end = first.byteOffset + first.length;
  for (let i = 1; i < chunks.length; i++) {
    const c = chunks[i];
    if (c.buffer !== first.buffer || c.byteOffset !== end) return undefined;
    end += c.length;
  }
  return Buffer.from(first.buffer, first.byteOffset, total);
}

/** `host:port` for logs and errors, with IPv6 literals bracketed. */
export function hostPort(host: string | undefined, port: number | undefined): string {
  const h = host ?? '?';
  return `${h.includes(':') ? `[${h}]` : h}:${port ?? '?'}`;
}
