/**
 * QUIC v1 transport on the project's own addon (ngtcp2 + GnuTLS on the event-loop thread; scheme
 * `https://`, docs/protocol.md §1, §8). Same contract and wire as the quinn stack in quinn.ts: libp2p TLS
 * identities (peer ids), ALPN `libp2p`, one bidirectional stream opened by the dialer with the
 * one-byte `STREAM_PREAMBLE`; so a gateway on one stack and a client on the other interoperate.
 *
 * Why a second stack: the quinn binding runs QUIC on a tokio thread and hands every read and write
 * across threads, three thread wake-ups per message leg where TCP has one; on two vCPUs that alone
 * puts request/reply at ~1.8x NATS. Here packets are read, decrypted and delivered in libuv's poll
 * phase, and writes are sent before `write` returns.
 */
import { hostPort } from './base-connection';
import { peerIdFromSeed } from './identity';
import { libp2pCertificate, peerIdFromCertificate } from './libp2p-cert';
import { Ngtcp2Connection } from './ngtcp2-connection';
import { EndpointHost, QuicEvent, type CongestionControl, type EndpointOptions } from './ngtcp2-native';
import { checkTuning, QUINN_DEFAULT_OPTIONS, type QuinnTuning } from './quinn-native';
import {
  PeerNotTrustedError,
  DEFAULT_MAX_PENDING_HANDSHAKES,
  type AdmissionCounters,
  type Connection,
  type DialOptions,
  type ListenOptions,
  type Listener,
  type Transport,
} from './transport';
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

/** Application error code sent when we refuse a peer (bad certificate, bad preamble). */
const REFUSED = 1;

/** Certificates are cached per seed: making one costs an EC key pair and two signatures. */
const certificates = new Map<string, { certPem: string; keyPem: string }>();
function certificateFor(seed: Uint8Array): { certPem: string; keyPem: string } {
  const key = Buffer.from(seed).toString('hex');
  let cert = certificates.get(key);
  if (!cert) certificates.set(key, (cert = libp2pCertificate(seed)));
  return cert;
}

class Ngtcp2Listener implements Listener {
  readonly identity: string;
  readonly port: number;
  private readonly host: EndpointHost;
  private readonly live = new Set<Ngtcp2Connection>();
  private closing = false;

  constructor(
    options: EndpointOptions,
    seed: Uint8Array,
    private readonly onConnection: (conn: Connection) => void,
  ) {
    this.identity = peerIdFromSeed(seed);
    this.host = new EndpointHost(options, (id, type, a, b) => {
      if (type === QuicEvent.Handshake) this.accept(id, a as Buffer | undefined, b as string);
    });
    this.port = this.host.native.port();
  }

  /** A peer finished its handshake: check its certificate, then wait for the stream preamble. */
  private accept(id: number, certDer: Buffer | undefined, remote: string): void {
    let peerId: string;
    try {
      if (!certDer) throw new Error('no certificate');
      peerId = peerIdFromCertificate(certDer);
    } catch (err) {
      this.host.native.close(id, REFUSED, (err as Error).message);
      return;
    }
    const refuse = (): void => {
      clearTimeout(timer);
      this.host.forget(id);
      this.host.native.close(id, REFUSED, 'no stream preamble');
    };
    const timer = setTimeout(refuse, STREAM_OPEN_TIMEOUT_MS);
    timer.unref();
    this.host.register(id, {
      handshake: () => undefined,
      drain: () => undefined,
      fin: () => refuse(),
      close: () => clearTimeout(timer),
      // The first data event carries at least the preamble byte (the addon never sends empty ones).
      data: (first) => {
        if (first[0] !== STREAM_PREAMBLE || this.closing) return refuse();
        clearTimeout(timer);
        const connection = new Ngtcp2Connection({
          host: this.host,
          id,
          remoteAddress: remote,
          remoteIdentity: peerId,
          initialData: first.subarray(1),
          onEnded: () => this.live.delete(connection),
        });
        this.live.add(connection);
        this.onConnection(connection);
      },
    });
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const connection of [...this.live]) connection.destroy(new Error('quic listener closed'));
    this.host.native.shutdown();
  }

  admissionCounters(): AdmissionCounters {
    return this.host.native.stats();
  }
}

/** The quinn stack's tuning, and the congestion controller (ngtcp2-native.ts). */
export interface Ngtcp2Tuning extends QuinnTuning {
  congestionControl?: CongestionControl;
}

export class Ngtcp2Transport implements Transport {
  readonly name = 'quic' as const;

  constructor(private readonly options: Ngtcp2Tuning = {}) {
    checkTuning(options);
  }

  private endpointOptions(
    server: boolean,
    host: string,
    port: number,
    seed: Uint8Array,
    handshakeMs?: number,
  ): EndpointOptions {
    return {
      server,
      host,
      port,
      ...certificateFor(seed),
      idleMs: this.options.idleTimeoutMs ?? QUINN_DEFAULT_OPTIONS.maxIdleTimeout,
      keepAliveMs: this.options.keepAliveMs ?? QUINN_DEFAULT_OPTIONS.keepAliveInterval,
      handshakeMs: handshakeMs ?? this.options.handshakeTimeoutMs ?? QUINN_DEFAULT_OPTIONS.handshakeTimeout,
      congestionControl: this.options.congestionControl,
    };
  }

  async listen(options: ListenOptions, onConnection: (conn: Connection) => void): Promise<Listener> {
    const seed = listenSeed(options);
    const { address } = await resolveHost(options.host);
    try {
      const endpoint: EndpointOptions = {
        ...this.endpointOptions(true, address, options.port, seed),
        // The gateway's bound covers HELLO too; the transport's own handshake gets at most its default.
        handshakeMs: Math.min(
          options.handshakeTimeoutMs ?? Infinity,
          this.options.handshakeTimeoutMs ?? QUINN_DEFAULT_OPTIONS.handshakeTimeout,
        ),
        maxHalfOpen: options.maxPendingHandshakes ?? DEFAULT_MAX_PENDING_HANDSHAKES,
        ...options.quic,
      };
      return new Ngtcp2Listener(endpoint, seed, onConnection);
    } catch (err) {
      throw new Error(
        `quic listen ${hostPort(options.host, options.port)} failed: ${(err as Error).message}`,
      );
    }
  }

  async dial(options: DialOptions): Promise<Connection> {
    const { where } = dialTrust(options);
    const timeoutMs = options.timeoutMs ?? DEFAULT_DIAL_TIMEOUT_MS;
    const seed = dialSeed(options);
    const { address, family } = await resolveHost(options.host);
    // One endpoint per dial, as with quinn: it goes with the connection.
    const host = new EndpointHost(
      this.endpointOptions(false, family === 4 ? '0.0.0.0' : '::', 0, seed, timeoutMs),
    );
    let id: number;
    try {
      id = host.native.dial(address, options.port);
    } catch (err) {
      host.native.shutdown();
      throw new Error(`quic dial ${where} failed: ${(err as Error).message}`);
    }
    return new Promise<Connection>((resolve, reject) => {
      const fail = (err: Error): void => {
        clearTimeout(timer);
        host.forget(id);
        host.native.shutdown();
        reject(
          err instanceof PeerNotTrustedError ? err : new Error(`quic dial ${where} failed: ${err.message}`),
        );
      };
      const timer = setTimeout(
        () =>
          fail(new Error(`timed out after ${timeoutMs} ms (is a gateway listening on UDP ${options.port}?)`)),
        timeoutMs,
      );
      host.register(id, {
        handshake: (certDer) => {
          clearTimeout(timer);
          let peerId: string;
          try {
            if (!certDer) throw new Error('the gateway presented no certificate');
            peerId = peerIdFromCertificate(certDer);
            checkPeerId(options, where, peerId);
          } catch (err) {
            return fail(err as Error);
          }
          resolve(
            new Ngtcp2Connection({
              host,
              id,
              remoteAddress: where,
              remoteIdentity: peerId,
              // Goes out with the first flush, together with whatever the caller writes in this turn.
              preamble: Buffer.of(STREAM_PREAMBLE),
              onEnded: () => host.native.shutdown(),
            }),
          );
        },
        data: () => undefined,
        fin: () => undefined,
        drain: () => undefined,
        close: (reason) => fail(new Error(reason)),
      });
    });
  }
}
