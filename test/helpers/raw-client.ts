/**
 * A protocol client without the client library, for tests that must send what the library never
 * would (malformed bytes, oversized frames, bad names) or stop reading like a stuck consumer.
 * Two flavours: over the project's Transport (both QUIC and TLS), and over a bare node:tls socket
 * (so a test can pause reading and let TCP back-pressure build up at the gateway).
 */
import * as tls from 'node:tls';
import { FrameDecoder, encodeFrame, type Frame } from '../../gateway/protocol/frames';
import { M } from '../../gateway/protocol/messages';
import { loadTransport } from '../../gateway/transport/select';
import type { Connection } from '../../gateway/transport/transport';
import type { TransportName } from '../../gateway';
import { waitFor } from './mesh';

/** What every raw client keeps: the frames received (copied) and whether the connection ended. */
export abstract class RawClientBase {
  readonly frames: Frame[] = [];
  closed = false;
  closeError: Error | undefined;
  private readonly decoder = new FrameDecoder(64 * 1024 * 1024);
  private nextReq = 1;

  protected received(chunk: Buffer): void {
    this.decoder.push(chunk, (f) => this.frames.push({ header: f.header, payload: Buffer.from(f.payload) }));
  }

  protected ended(err?: Error): void {
    this.closed = true;
    this.closeError = err;
  }

  abstract writeBytes(bytes: Uint8Array): void;

  send(header: unknown[], payload?: Uint8Array): void {
    this.writeBytes(encodeFrame(header, payload));
  }

  /** Frames of one message type received so far. */
  ofType(type: number): Frame[] {
    return this.frames.filter((f) => f.header[0] === type);
  }

  /** Wait for the first frame matching `pred` (searching everything received so far). */
  async waitFrame(pred: (f: Frame) => boolean, what: string, timeoutMs = 5000): Promise<Frame> {
    await waitFor(() => this.frames.some(pred), timeoutMs, what);
    return this.frames.find(pred)!;
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    await waitFor(() => this.closed, timeoutMs, 'the gateway to close the raw connection');
  }

  /** HELLO and wait for WELCOME (or ABORT); returns the reply frame. */
  async hello(realm: string, token?: string, clientId = 'raw-test-client'): Promise<Frame> {
    this.send([M.HELLO, realm, token ?? null, clientId]);
    return this.waitFrame((f) => f.header[0] === M.WELCOME || f.header[0] === M.ABORT, 'WELCOME or ABORT');
  }

  /** Send a request (request id at header[1]) and wait for its reply (same id) or an ERROR for it. */
  async request(build: (reqId: number) => unknown[], payload?: Uint8Array): Promise<Frame> {
    const id = this.nextReq++;
    this.send(build(id), payload);
    return this.waitFrame(
      (f) => f.header[1] === id && f.header[0] !== M.EVENT && f.header[0] !== M.INVOCATION,
      `reply to request ${id}`,
    );
  }

  /** Round trip a PING: proves the gateway still serves this connection. */
  async ping(): Promise<void> {
    const nonce = Math.floor(Math.random() * 1e9);
    this.send([M.PING, nonce]);
    await this.waitFrame((f) => f.header[0] === M.PONG && f.header[1] === nonce, 'PONG');
  }
}

/** A raw client over the gateway's own Transport (QUIC or TLS), trusting a development identity. */
export class RawClient extends RawClientBase {
  private constructor(readonly conn: Connection) {
    super();
    conn.onData((chunk) => this.received(chunk));
    conn.onClose((err) => this.ended(err));
  }

  static async dial(transport: TransportName, port: number): Promise<RawClient> {
    const conn = await loadTransport(transport).dial({
      host: '127.0.0.1',
      port,
      security: { insecure: true },
      timeoutMs: 5000,
    });
    return new RawClient(conn);
  }

  writeBytes(bytes: Uint8Array): void {
    this.conn.write(bytes);
  }

  destroy(): void {
    this.conn.destroy();
  }
}

/** A raw client on a bare TLS socket: `pause()` stops reading so the gateway's writes back up. */
export class RawTlsSocketClient extends RawClientBase {
  private constructor(readonly socket: tls.TLSSocket) {
    super();
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('error', (err) => (this.closeError ??= err));
    socket.on('close', () => this.ended(this.closeError));
  }

  static dial(port: number): Promise<RawTlsSocketClient> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port,
        rejectUnauthorized: false,
        minVersion: 'TLSv1.3',
      });
      socket.once('error', reject);
      socket.once('secureConnect', () => {
        socket.removeListener('error', reject);
        resolve(new RawTlsSocketClient(socket));
      });
    });
  }

  writeBytes(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  destroy(): void {
    this.socket.destroy();
  }
}
