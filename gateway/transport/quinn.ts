/**
 * QUIC v1 transport over the quinn binding of @chainsafe/libp2p-quic 2.1.1 (docs/protocol.md §1, §8;
 * scheme `https://`).
 *
 * Identity is libp2p's: each side presents a certificate carrying its Ed25519 key and the remote
 * side's peer id is what `remoteIdentity` reports. There is no CA path, so `dial` needs either
 * `pinned` peer ids or `insecure: true` and refuses otherwise. The listener never refuses by
 * identity: apps and gateways share it and the gateway checks identities at the protocol level.
 *
 * One bidirectional stream per connection. A QUIC stream only becomes visible to the peer with
 * its first STREAM frame, so the dialer opens it with a one-byte preamble (`STREAM_PREAMBLE`) that
 * the listener checks and strips; that lets the listener hand over a connection before the app
 * has said anything, and a listener-speaks-first protocol works too.
 */
export { STREAM_PREAMBLE } from './quic-common';
import type { QuinnBinding, QuinnConnection, QuinnServer, QuinnStream } from '../../types/quinn-native';
import { hostPort } from './base-connection';
import { withTimeout } from './with-timeout';
import { peerIdFromSeed } from './identity';
import {
  checkPeerId,
  DEFAULT_DIAL_TIMEOUT_MS,
  dialSeed,
  dialTrust,
  listenSeed,
  resolveHost,
  STREAM_OPEN_TIMEOUT_MS,
  STREAM_PREAMBLE,
} from './quic-common';
import { QuicConnection } from './quinn-connection';
import { checkTuning, loadQuinn, QUINN_DEFAULT_OPTIONS, quinnConfigInit, QuinnTuning } from './quinn-native';
import { DEFAULT_MAX_PENDING_HANDSHAKES, PeerNotTrustedError } from './transport';
import type { Connection, DialOptions, ListenOptions, Listener, Transport } from './transport';

/** Listener close never waits longer than this for quinn's endpoint to go idle. */
const LISTENER_CLOSE_MAX_MS = 2_000;

export type QuicTransportOptions = QuinnTuning;

function peerIdOf(conn: QuinnConnection): string {
  const match = /\/p2p\/([^/]+)$/.exec(conn.remoteMultiaddr());
  if (!match) throw new Error(`remote multiaddr ${conn.remoteMultiaddr()} carries no peer id`);
  return match[1];
}

function remoteAddressOf(conn: QuinnConnection): string {
  const m = /^\/ip[46]\/([^/]+)\/udp\/(\d+)/.exec(conn.remoteMultiaddr());
  return m ? hostPort(m[1], Number(m[2])) : conn.remoteMultiaddr();
}

class QuicListener implements Listener {
  readonly identity: string;
  readonly port: number;
  private closing = false;
  /** Accepted native connections, with their QuicConnection once handed over. */
  private readonly live = new Map<QuinnConnection, QuicConnection | undefined>();

  constructor(
    private readonly server: QuinnServer,
    seed: Uint8Array,
    private readonly onConnection: (conn: Connection) => void,
    concurrentAccepts: number,
  ) {
    this.identity = peerIdFromSeed(seed);
    this.port = server.port();
    // quinn's `inboundConnection()` resolves only once a handshake has finished, so one pending
    // call waits behind every hanging handshake (an Initial from a client that went silent holds it
    // for quinn's handshake timeout). With this many calls waiting at once, that many handshakes
    // must hang before a real client waits. quinn has no cap on half-open connections or address
    // validation that this binding exposes: where a flood matters, use the ngtcp2 stack.
    for (let i = 0; i < concurrentAccepts; i++) void this.acceptLoop();
  }

  private async acceptLoop(): Promise<void> {
    while (!this.closing) {
      let conn: QuinnConnection;
      try {
        conn = await this.server.inboundConnection();
      } catch (err) {
        // A failed handshake concerns that client only; "server closed" ends the loop.
        if (/server closed/.test((err as Error).message)) return;
        continue;
      }
      if (this.closing) conn.abort();
      else void this.accept(conn);
    }
  }

  private async accept(conn: QuinnConnection): Promise<void> {
    this.live.set(conn, undefined);
    const forget = (): void => void this.live.delete(conn);
    conn.closed().then(forget, forget);
    let stream: QuinnStream;
    let first: Uint8Array | null;
    try {
      const opened = async (): Promise<[QuinnStream, Uint8Array | null]> => {
        const s = await conn.inboundStream();
        return [s, await s.read(64 * 1024)];
      };
      [stream, first] = await withTimeout(
        opened(),
        STREAM_OPEN_TIMEOUT_MS,
        () => new Error('no stream opened'),
      );
      if (!first || first[0] !== STREAM_PREAMBLE) throw new Error('bad stream preamble');
    } catch {
      conn.abort();
      return;
    }
    if (this.closing) {
      conn.abort();
      return;
    }
    const initialData = Buffer.from(first.buffer, first.byteOffset + 1, first.byteLength - 1);
    const remoteIdentity = peerIdOf(conn);
    const connection = new QuicConnection({
      conn,
      stream,
      remoteAddress: remoteAddressOf(conn),
      remoteIdentity,
      initialData,
    });
    if (this.live.has(conn)) this.live.set(conn, connection);
    this.onConnection(connection);
  }

  /** Stops accepting and closes the connections it accepted (quinn closes them with the endpoint). */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const [conn, connection] of this.live) {
      if (connection) connection.destroy(new Error('quic listener closed'));
      else conn.abort();
    }
    await withTimeout(
      this.server.abort(),
      LISTENER_CLOSE_MAX_MS,
      () => new Error('quinn endpoint did not go idle'),
    ).catch(() => undefined);
  }
}

export class QuicTransport implements Transport {
  readonly name = 'quic' as const;
  private readonly quinn: QuinnBinding;

  constructor(private readonly options: QuicTransportOptions = {}) {
    checkTuning(options);
    this.quinn = loadQuinn();
  }

  async listen(options: ListenOptions, onConnection: (conn: Connection) => void): Promise<Listener> {
    const seed = listenSeed(options);
    const handshakeTimeoutMs = Math.min(
      options.handshakeTimeoutMs ?? Infinity,
      this.options.handshakeTimeoutMs ?? QUINN_DEFAULT_OPTIONS.handshakeTimeout,
    );
    const config = new this.quinn.QuinnConfig(quinnConfigInit(seed, { ...this.options, handshakeTimeoutMs }));
    const { address } = await resolveHost(options.host);
    let server: QuinnServer;
    try {
      server = new this.quinn.Server(config, address, options.port);
    } catch (err) {
      throw new Error(
        `quic listen ${hostPort(options.host, options.port)} failed: ${(err as Error).message}`,
      );
    }
    return new QuicListener(
      server,
      seed,
      onConnection,
      options.maxPendingHandshakes ?? DEFAULT_MAX_PENDING_HANDSHAKES,
    );
  }

  async dial(options: DialOptions): Promise<Connection> {
    const { where } = dialTrust(options);
    const timeoutMs = options.timeoutMs ?? DEFAULT_DIAL_TIMEOUT_MS;
    const seed = dialSeed(options);
    const { address, family } = await resolveHost(options.host);
    // One endpoint per dial: its handshake timeout is this dial's, and it goes with the connection.
    const config = new this.quinn.QuinnConfig(
      quinnConfigInit(seed, { ...this.options, handshakeTimeoutMs: timeoutMs }),
    );
    const client = new this.quinn.Client(config, family === 4 ? 0 : 1);
    let conn: QuinnConnection | undefined;
    try {
      conn = await withTimeout(
        client.outboundConnection(address, options.port),
        timeoutMs,
        () => new Error(`timed out after ${timeoutMs} ms (is a gateway listening on UDP ${options.port}?)`),
      );
      const peerId = peerIdOf(conn);
      checkPeerId(options, where, peerId);
      const stream = await withTimeout(
        conn.outboundStream(),
        timeoutMs,
        () => new Error('timed out opening the stream'),
      );
      return new QuicConnection({
        conn,
        stream,
        remoteAddress: where,
        remoteIdentity: peerId,
        // Goes out with the first flush, together with whatever the caller writes in this turn.
        preamble: Buffer.of(STREAM_PREAMBLE),
        onEnded: () => client.abort(),
      });
    } catch (err) {
      conn?.abort();
      client.abort();
      if (err instanceof PeerNotTrustedError) throw err;
      throw new Error(`quic dial ${where} failed: ${(err as Error).message}`);
    }
  }
}

let shared: QuicTransport | undefined;

/** The default QUIC transport (the native binding is loaded on first use). */
export function quicTransport(): QuicTransport {
  return (shared ??= new QuicTransport());
}
