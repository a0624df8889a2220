/**
 * One connection of a client to its gateway: dial by URL scheme, HELLO/WELCOME, and request ids.
 * The reconnecting client (client.ts) creates a new ClientConnection for each connection.
 */
import { readFileSync, existsSync } from 'node:fs';
import { GatewayError, isErrorCode } from '../protocol/errors';
import { FrameStream } from '../protocol/frame-stream';
import { encodeFrame, type Frame } from '../protocol/frames';
import { encodeHeaderInto } from '../protocol/header-codec';
import { M } from '../protocol/messages';
import { loadTransport } from '../transport/select';
import { parsePeerUrl, type PeerUrl } from '../transport/url';
import { withTimeout } from '../transport/with-timeout';
import { PeerNotTrustedError, type Connection, type TransportSecurity } from '../transport/transport';
import type { ConnectOptions } from './types';

const MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** `https://host:port` = QUIC, `tls://host:port` = TLS/TCP: the same rules as MESH_PEERS. */
export function parseGatewayUrl(url: string): PeerUrl {
  const parsed = parsePeerUrl(url);
  if (typeof parsed === 'string') throw new GatewayError('invalid_argument', `gateway url: ${parsed}`);
  return parsed;
}

function envCa(): string | undefined {
  const v = process.env.MACULA_TLS_CA;
  if (!v) return undefined;
  if (v.includes('-----BEGIN')) return v;
  return existsSync(v) ? readFileSync(v, 'utf8') : undefined;
}

/** A libp2p Ed25519 peer id as the QUIC transport reports it (base58btc, `12D3KooW…`). */
const QUIC_PEER_ID = /^12D3KooW[1-9A-HJ-NP-Za-km-z]{44}$/;

/**
 * `MACULA_QUIC_PEER_ID`: the QUIC peer id(s) of the gateway, comma-separated. QUIC identities are
 * libp2p keys with no CA path, so this is how a QUIC client verifies its gateway (the Pulumi
 * program derives it from the gateway's `MACULA_QUIC_KEY`). TLS has `MACULA_TLS_CA` instead.
 */
export function envQuicPeerIds(env: NodeJS.ProcessEnv = process.env): string[] {
  const problem = quicPeerIdsProblem(env.MACULA_QUIC_PEER_ID);
  if (problem) throw new GatewayError('invalid_argument', `MACULA_QUIC_PEER_ID: ${problem}`);
  return splitIds(env.MACULA_QUIC_PEER_ID);
}

/** What is wrong with a comma-separated list of QUIC peer ids, if anything (for start-up checks). */
export function quicPeerIdsProblem(value: string | undefined): string | undefined {
  const bad = splitIds(value).filter((id) => !QUIC_PEER_ID.test(id));
  return bad.length > 0
    ? `expected libp2p Ed25519 peer ids (12D3KooW…), got '${bad.join("', '")}'`
    : undefined;
}

function splitIds(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Explicit options win; otherwise the environment, each variable for the transport it verifies:
 * pins from `MACULA_QUIC_PEER_ID` apply to QUIC only (a TLS dial would require them of the TLS
 * certificate fingerprint too, and fail).
 */
export function clientSecurity(opts: ConnectOptions, transport: 'quic' | 'tls'): TransportSecurity {
  const envInsecure = ['1', 'true', 'yes'].includes(process.env.MACULA_TLS_INSECURE ?? '');
  return {
    caPem: opts.caPem ?? envCa(),
    pinned: opts.pinned ?? (transport === 'quic' ? envQuicPeerIds() : []),
    insecure: opts.insecure ?? envInsecure,
  };
}

/** Refusals name the transport's options; a client configured by the environment needs the variables. */
function trustHint(err: Error, transport: 'quic' | 'tls'): Error {
  if (!(err instanceof PeerNotTrustedError)) return err;
  const hint =
    transport === 'quic'
      ? 'a QUIC gateway is verified by its peer id: `pinned` in connect or MACULA_QUIC_PEER_ID (MACULA_TLS_CA does not apply to QUIC); MACULA_TLS_INSECURE=1 accepts a development identity'
      : 'a TLS gateway is verified by `caPem` / MACULA_TLS_CA or `pinned` fingerprints; MACULA_TLS_INSECURE=1 accepts a development identity';
  return new PeerNotTrustedError(`${err.message} (${hint})`);
}

const EMPTY = new Uint8Array(0);

export class ClientConnection {
  sessionId = '';
  gatewayId = '';
  /** The gateway acknowledges tracked publications (PUBACK); an older one does not. */
  pubAcks = false;
  /** Frames received so far: the liveness check watches it move (liveness.ts). */
  received = 0;
  private nextReq = 1;
  private readonly waiting = new Map<number, { resolve: (f: Frame) => void; reject: (e: Error) => void }>();
  closed = false;

  private constructor(readonly conn: Connection) {}

  static async open(
    opts: ConnectOptions,
    onFrame: (f: Frame) => void,
    onClose: (err?: Error) => void,
    /** The client's pubStream and the number of the first publication it sends on this connection. */
    publications: { stream: string; nextSeq: number },
  ): Promise<ClientConnection> {
    const url = parseGatewayUrl(opts.url);
    const conn = await loadTransport(url.transport, opts.quicStack)
      .dial({
        host: url.host,
        port: url.port,
        security: clientSecurity(opts, url.transport),
        timeoutMs: opts.connectTimeoutMs ?? 5000,
      })
      .catch((err: Error) => {
        throw trustHint(err, url.transport);
      });
    const stream = new FrameStream(conn, MAX_FRAME_BYTES);
    const c = new ClientConnection(conn);
    const welcome = new Promise<Frame>((resolve, reject) => {
      stream.setHandler((frame) => {
        if (frame.header[0] === M.WELCOME) resolve(frame);
        else if (frame.header[0] === M.ABORT)
          reject(
            new GatewayError(
              isErrorCode(frame.header[1]) ? frame.header[1] : 'internal',
              String(frame.header[2]),
            ),
          );
        else
          reject(
            new GatewayError(
              'protocol_error',
              `expected WELCOME, got message type ${String(frame.header[0])}`,
            ),
          );
      });
      conn.onClose((err) =>
        reject(
          new GatewayError(
            'unavailable',
            `connection to ${opts.url} closed during the handshake${err ? `: ${err.message}` : ''}`,
          ),
        ),
      );
    });
    conn.write(
      encodeFrame([
        M.HELLO,
        opts.realm,
        opts.token ?? null,
        opts.clientId ?? `client-${process.pid}`,
        publications.stream,
        publications.nextSeq,
      ]),
    );
    let frame: Frame;
    try {
      frame = await withTimeout(
        welcome,
        opts.connectTimeoutMs ?? 5000,
        () => new GatewayError('timeout', `no WELCOME from ${opts.url}`),
      );
    } catch (err) {
      conn.destroy();
      throw err;
    }
    c.sessionId = String(frame.header[1]);
    c.gatewayId = String(frame.header[2]);
    c.pubAcks = frame.header[3] === true;
    stream.setHandler((f) => c.route(f, onFrame));
    stream.onBadFrame((err) => conn.destroy(err));
    conn.onClose((err) => {
      c.closed = true;
      for (const w of c.waiting.values())
        w.reject(new GatewayError('unavailable', 'connection to the gateway lost'));
      c.waiting.clear();
      onClose(err);
    });
    return c;
  }

  /** Requests sent and not answered yet. */
  get awaitingReplies(): boolean {
    return this.waiting.size > 0;
  }

  /** Replies to requests resolve their waiter; everything else goes to the client. */
  private route(frame: Frame, onFrame: (f: Frame) => void): void {
    this.received++;
    const h = frame.header;
    switch (h[0]) {
      case M.SUBSCRIBED:
      case M.UNSUBSCRIBED:
      case M.REGISTERED:
      case M.UNREGISTERED:
      case M.PUBLISHED:
      case M.RESULT:
      case M.ERROR: {
        const w = this.waiting.get(h[1] as number);
        if (w) {
          this.waiting.delete(h[1] as number);
          if (h[0] === M.ERROR)
            w.reject(new GatewayError(isErrorCode(h[2]) ? h[2] : 'internal', String(h[3])));
          else w.resolve(frame);
        } else onFrame(frame);
        return;
      }
      default:
        onFrame(frame);
    }
  }

  /**
   * Send a request whose header has its request id at index 1; resolves with the reply frame.
   * With `timeoutMs`, fails with `timeout` if no reply came by then (the gateway answers first
   * normally: this guards against a gateway that vanished). `onReply` runs synchronously with the
   * reply frame, before any later frame is handled.
   */
  request(
    build: (reqId: number) => unknown[],
    payload?: Uint8Array,
    timeoutMs?: number,
    onReply?: (f: Frame) => void,
  ): Promise<Frame> {
    if (this.closed) return Promise.reject(new GatewayError('unavailable', 'not connected to the gateway'));
    const reqId = this.nextReq++;
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.waiting.delete(reqId);
          reject(new GatewayError('timeout', `no reply from the gateway within ${timeoutMs} ms`));
        }, timeoutMs);
      }
      this.waiting.set(reqId, {
        resolve: (f) => {
          if (timer) clearTimeout(timer);
          // Runs before the next frame of the same chunk is handled: frames that follow a reply
          // (events right after SUBSCRIBED, a durable replay) must find what the reply set up.
          onReply?.(f);
          resolve(f);
        },
        reject: (e) => {
          if (timer) clearTimeout(timer);
          reject(e);
        },
      });
      this.conn.writeFrame(encodeHeaderInto(build(reqId)), payload ?? EMPTY);
    });
  }

  send(header: unknown[], payload: Uint8Array = EMPTY): void {
    // writeFrame copies the header at once, so the encoder's shared scratch buffer is safe here.
    if (!this.closed) this.conn.writeFrame(encodeHeaderInto(header), payload);
  }

  /** Send with an already-encoded header (copied once, straight into the connection's buffer). */
  sendHead(head: Buffer, payload: Uint8Array = EMPTY): void {
    if (!this.closed) this.conn.writeFrame(head, payload);
  }
}
