/**
 * One QUIC connection carrying one bidirectional stream (docs/protocol.md §1, §8).
 *
 * Writes: quinn writes are async hops to a native thread and must not overlap on a stream, so at
 * most one native write is in flight; whatever is written meanwhile is queued and goes out as one
 * chunk when it completes (plus the per-turn flush of BaseConnection).
 *
 * Close: quinn's `abort()` discards unsent stream data, so a graceful close is the FIN exchange of
 * fin-close.ts.
 */
import type { QuinnConnection, QuinnStream } from '../../types/quinn-native';
import { FinCloseConnection } from './fin-close';

/**
 * Bytes asked of quinn per read, adapted to the traffic. A read costs more the more is asked for,
 * even when little arrives, so a large fixed size slows small messages down (RPC through one
 * gateway, p50: 256 KiB reads ~720 µs, 16 KiB ~590 µs; bare echo round trip 250 → 170 µs), while
 * a small one costs throughput under load (4 KiB reads: a quarter of the messages per second).
 * A read that comes back full doubles the next one; one under a quarter full halves it.
 */
export const READ_MIN = 16 * 1024;
export const READ_MAX = 256 * 1024;

export function nextReadSize(asked: number, got: number): number {
  if (got >= asked) return Math.min(asked * 2, READ_MAX);
  if (got < asked / 4) return Math.max(asked / 2, READ_MIN);
  return asked;
}

export interface QuicConnectionInit {
  conn: QuinnConnection;
  stream: QuinnStream;
  remoteAddress: string;
  remoteIdentity: string;
  /** Bytes already read past the stream preamble (listener side). */
  initialData?: Buffer;
  /** Bytes sent ahead of everything the caller writes (dialer side: the stream preamble). */
  preamble?: Buffer;
  /** Runs once after the connection ended (the dialer closes its endpoint here). */
  onEnded?: () => void;
}

export class QuicConnection extends FinCloseConnection {
  readonly remoteAddress: string;
  readonly remoteIdentity: string;
  private readonly conn: QuinnConnection;
  private readonly stream: QuinnStream;
  private inFlightBytes = 0;

  constructor(init: QuicConnectionInit) {
    super(init.onEnded);
    this.conn = init.conn;
    this.stream = init.stream;
    this.remoteAddress = init.remoteAddress;
    this.remoteIdentity = init.remoteIdentity;
    if (init.initialData && init.initialData.byteLength > 0) this.emitData(init.initialData);
    if (init.preamble) this.writeFirst(init.preamble);
    void this.readLoop();
    // closed() says nothing about why; the read loop reports the reason first when there is one.
    this.conn.closed().then(
      () => setImmediate(() => this.end(this.remoteFinished ? undefined : this.lostError())),
      (err: Error) => this.end(err),
    );
  }

  get pendingBytes(): number {
    return this.queuedBytes + this.inFlightBytes;
  }

  rttMs(): number | undefined {
    return this.isClosed ? undefined : this.conn.rtt();
  }

  protected flush(): void {
    if (this.inFlightBytes > 0 || this.isClosed) return;
    const buf = this.takeQueued();
    if (!buf) {
      if (this.ending) void this.finishSending();
      return;
    }
    this.inFlightBytes = buf.byteLength;
    this.stats.nativeWrites++;
    this.stats.bytesOut += buf.byteLength;
    this.stream.write(buf).then(
      () => {
        this.inFlightBytes = 0;
        if (this.queuedBytes > 0 || this.ending) this.flush();
        else this.checkDrain();
      },
      (err: Error) =>
        this.end(
          this.isClosed ? undefined : new Error(`quic write to ${this.remoteAddress} failed: ${err.message}`),
        ),
    );
  }

  private async readLoop(): Promise<void> {
    try {
      for (let size = READ_MIN; ;) {
        const chunk = await this.stream.read(size);
        if (chunk === null) break;
        size = nextReadSize(size, chunk.byteLength);
        // A view on quinn's Uint8Array, not a copy.
        this.emitData(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      }
    } catch (err) {
      if (!this.ending) this.end(this.lostError(err as Error));
      return;
    }
    this.remoteFinish();
  }

  private lostError(cause?: Error): Error {
    return new Error(
      `quic connection to ${this.remoteAddress} lost (peer aborted or idle timeout)${cause ? `: ${cause.message}` : ''}`,
    );
  }

  protected sendFin(): Promise<void> | void {
    return this.stream.finishWrite();
  }

  protected abortTransport(): void {
    this.conn.abort();
  }
}
