/**
 * The project's own transport seam (docs/protocol.md §1). The gateway, the mesh and the client only see
 * this interface; QUIC (quinn) and TLS-over-TCP implement it with the same framing above it.
 *
 * A Connection is one ordered, reliable byte stream. Writers hand it small chunks; the transport
 * coalesces everything written in one event-loop turn into a single native/socket write.
 */

/** Who we are and whom we accept, for either transport. */
export interface TransportSecurity {
  /** TLS/TCP: PEM certificate (chain) presented by this side. */
  certPem?: string;
  /** TLS/TCP: PEM private key matching `certPem`. */
  keyPem?: string;
  /**
   * TLS/TCP dial: PEM CA bundle; the server's certificate must chain to it. Only the chain is
   * checked, not the host name (gateways are dialed by loopback addresses and service names; the
   * CA is the mesh's private one). Not used by QUIC (libp2p identities have no CA path).
   */
  caPem?: string;
  /** QUIC: 32-byte Ed25519 seed of this side's libp2p identity (a dialer without one gets a per-process one). */
  quicSeed?: Uint8Array;
  /**
   * Dial: identities accepted from the listener: QUIC peer ids, or TLS certificate SHA-256
   * fingerprints (hex; colons and case are ignored). With `caPem` too, both must hold. Empty or
   * absent: no pinning. A dial with neither `caPem` (TLS), `pinned` nor `insecure` is refused.
   * Listeners never refuse by identity; the gateway checks `remoteIdentity` at the protocol level.
   */
  pinned?: readonly string[];
  /** Dial: accept an unverified listener, skipping `caPem` and `pinned` (development only). */
  insecure?: boolean;
  /** TLS/TCP server: ask clients for a certificate (mesh peers use it for mutual auth). */
  requestClientCert?: boolean;
}

/**
 * A dial refused because the listener's identity is not verified (nothing to verify it with) or not
 * the one expected. Its own class so that callers can tell a trust problem from a network one and
 * say which settings to change, without reading the message.
 */
export class PeerNotTrustedError extends Error {
  override readonly name = 'PeerNotTrustedError';
}

export interface Connection {
  /**
   * Queue bytes for sending; flushed, coalesced, at the end of the current event-loop turn. The
   * chunk is not copied: do not modify it afterwards. After close/destroy, writes are dropped.
   */
  write(chunk: Uint8Array): void;
  /**
   * Queue one wire frame (docs/protocol.md §2: length prefix, `head`, `payload`), copied once into the
   * connection's staging buffer instead of being built as a Buffer of its own first. `head` and
   * `payload` may be reused as soon as this returns. Ordered with `write` like any other bytes.
   */
  writeFrame(head: Uint8Array, payload: Uint8Array): void;
  /** Bytes accepted by `write` that the transport has not yet handed to the OS / native layer. */
  readonly pendingBytes: number;
  /**
   * Called with each chunk of bytes as it arrives, in order. One handler. Bytes that arrived before
   * it was set are kept and delivered in a microtask: handlers are never called from inside
   * `onData`/`onClose` themselves, so they may be set in a constructor before its state is ready.
   */
  onData(handler: (chunk: Buffer) => void): void;
  /**
   * Called once when the connection ends (close from either side, destroy, listener close, loss or
   * idle timeout), with the error if it failed; no error after a graceful close. One handler; set
   * after the end, it is called in a microtask.
   */
  onClose(handler: (err?: Error) => void): void;
  /** Called when `pendingBytes` falls back to zero after having been above zero. */
  onDrain(handler: () => void): void;
  /** Flush what is queued, then close the sending side and the connection; the peer receives every byte first. */
  close(): void;
  /** Drop the connection at once (queued bytes are lost); onClose gets `err`. */
  destroy(err?: Error): void;
  /** `host:port` of the other side, for logs and admin APIs. */
  readonly remoteAddress: string;
  /** The other side's verified identity (QUIC peer id or TLS certificate fingerprint), if any. */
  readonly remoteIdentity: string | undefined;
  /** Smoothed round-trip time in ms when the transport measures it (QUIC does). */
  rttMs(): number | undefined;
}

export interface Listener {
  /** The bound port (useful when listening on port 0). */
  readonly port: number;
  /** The identity this listener presents (QUIC peer id or TLS fingerprint). */
  readonly identity: string;
  /** Stop accepting and drop the connections it accepted (their onClose gets `<name> listener closed`); never waits on peers. */
  close(): Promise<void>;
  /** Counters of new-connection attempts, where the transport keeps them. */
  admissionCounters?(): AdmissionCounters;
}

export interface ListenOptions {
  host: string;
  port: number;
  security: TransportSecurity;
  /** A connection that has not finished its handshake by then is closed (default 10 000 ms). */
  handshakeTimeoutMs?: number;
  /**
   * At most this many connections in their handshake at once; past it the oldest is dropped, so
   * connections that never finish cannot hold descriptors or memory (default 256).
   */
  maxPendingHandshakes?: number;
  /** QUIC on ngtcp2: address validation and connection caps (quinn exposes neither). */
  quic?: QuicAdmission;
}

/**
 * How a QUIC listener admits new connections (RFC 9000 §8.1, §21). Half-open connections (the
 * handshake not finished) are capped by `maxPendingHandshakes`.
 */
export interface QuicAdmission {
  /** From this many half-open connections on, a client must first prove its address with a Retry token; 0: always (default 16). */
  retryAbove?: number;
  /** Half-open connections from one source address (default 32). */
  maxHalfOpenPerAddress?: number;
  /** All connections of the listener (default 10 000). */
  maxConnections?: number;
}

/** A listener's counters of new-connection attempts (ngtcp2 stack; others report none). */
export interface AdmissionCounters {
  initials: number;
  retries: number;
  badTokens: number;
  refusedHalfOpen: number;
  refusedPerAddress: number;
  refusedConnections: number;
  halfOpen: number;
  connections: number;
  /** Datagrams that waited for a full send buffer (EAGAIN), and ones dropped past its bound. */
  sendBacklogged: number;
  sendDropped: number;
}

export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_PENDING_HANDSHAKES = 256;

export interface DialOptions {
  host: string;
  port: number;
  security: TransportSecurity;
  /** Give up connecting after this many ms (default 10 000). */
  timeoutMs?: number;
}

export interface Transport {
  /** `quic` or `tls`: also the URL scheme family (`https://` = QUIC, `tls://` = TLS/TCP). */
  readonly name: 'quic' | 'tls';
  listen(options: ListenOptions, onConnection: (conn: Connection) => void): Promise<Listener>;
  dial(options: DialOptions): Promise<Connection>;
}
