/**
 * One QUIC connection of the ngtcp2 stack, carrying one bidirectional stream (docs/protocol.md §1, §8).
 *
 * Writes: each flush hands the queued bytes to the addon, which copies them and sends what flow
 * and congestion control allow before returning; the rest goes out as acknowledgements come in,
 * and a drain event says when none is left. Close is the FIN exchange of fin-close.ts.
 */
import { FinCloseConnection } from './fin-close';
import type { EndpointHost } from './ngtcp2-native';

export interface Ngtcp2ConnectionInit {
  host: EndpointHost;
  id: number;
  remoteAddress: string;
  remoteIdentity: string;
  /** Bytes already received past the stream preamble (listener side). */
  initialData?: Buffer;
  /** Bytes sent ahead of everything the caller writes (dialer side: the stream preamble). */
  preamble?: Buffer;
  /** Runs once after the connection ended (the dialer closes its endpoint here). */
  onEnded?: () => void;
}

export class Ngtcp2Connection extends FinCloseConnection {
  readonly remoteAddress: string;
  readonly remoteIdentity: string;
  private readonly host: EndpointHost;
  private readonly id: number;
  /**
   * What the addon had not yet put into packets at the last write or data event; zero again at its
   * drain event. Not asked of the addon on every read: the gateway reads pendingBytes per message.
   */
  private nativeUnsent = 0;

  constructor(init: Ngtcp2ConnectionInit) {
    super(init.onEnded);
    this.host = init.host;
    this.id = init.id;
    this.remoteAddress = init.remoteAddress;
    this.remoteIdentity = init.remoteIdentity;
    this.host.register(this.id, {
      handshake: () => undefined, // consumed by the transport before this connection existed
      data: (chunk, unsent) => {
        // Acknowledgements come with data (a PUBACK, a reply): the write's figure is stale by now.
        this.nativeUnsent = unsent;
        if (unsent === 0) this.checkDrain();
        this.emitData(chunk);
      },
      fin: () => this.remoteFinish(),
      close: (reason, graceful) =>
        this.end(
          graceful && this.remoteFinished
            ? undefined
            : new Error(`quic connection to ${this.remoteAddress} lost: ${reason || 'closed by the peer'}`),
        ),
      drain: () => this.onNativeDrain(),
    });
    if (init.initialData && init.initialData.byteLength > 0) this.emitData(init.initialData);
    if (init.preamble) this.writeFirst(init.preamble);
  }

  get pendingBytes(): number {
    return this.queuedBytes + this.nativeUnsent;
  }

  rttMs(): number | undefined {
    if (this.isClosed) return undefined;
    const rtt = this.host.native.rtt(this.id);
    return rtt >= 0 ? rtt : undefined;
  }

  /** The addon's view of this connection's send side, for diagnosis (undefined once closed). */
  transportStats(): Record<string, number> | undefined {
    return this.isClosed ? undefined : this.host.native.connStats(this.id);
  }

  protected flush(): void {
    if (this.isClosed) return;
    const bytes = this.queuedBytes;
    const chunks = this.takeQueuedChunks();
    if (chunks) {
      this.stats.nativeWrites++;
      this.stats.bytesOut += bytes;
      this.nativeUnsent = this.host.native.write(this.id, chunks.length === 1 ? chunks[0] : chunks);
      if (this.nativeUnsent === 0) this.checkDrain();
    }
    if (this.ending && this.queuedBytes === 0) void this.finishSending();
  }

  private onNativeDrain(): void {
    this.nativeUnsent = 0;
    this.checkDrain();
  }

  protected sendFin(): void {
    this.host.native.finish(this.id);
  }

  protected abortTransport(): void {
    this.host.forget(this.id);
    this.host.native.close(this.id, 0, '');
  }

  protected override end(err?: Error): void {
    this.host.forget(this.id);
    super.end(err);
  }
}
