/**
 * The quinn binding inside `@chainsafe/libp2p-quic-<platform>` 2.1.1 (docs/protocol.md §8). It ships no
 * declarations; this is the part of its surface the QUIC transport uses, checked against the
 * package's own `napi.d.ts` source and by calling it.
 */

/** User-level configuration (the package's `defaultOptions` plus the libp2p private key). */
export interface QuinnConfigInit {
  /** Libp2p identity, protobuf encoded: `08 01 12 40` then seed(32) || public key(32). */
  privateKeyProto: Uint8Array;
  /** Handshake timeout in ms (the effective one is min(this, maxIdleTimeout)). */
  handshakeTimeout: number;
  /** Inactivity in ms after which a connection is closed. */
  maxIdleTimeout: number;
  /** Keep-alive PING period in ms; must be below both sides' idle timeout. */
  keepAliveInterval: number;
  /** Concurrent bidirectional streams the remote may open. */
  maxConcurrentStreamLimit: number;
  /** Flow-control window per stream, in bytes. */
  maxStreamData: number;
  /** Flow-control window per connection, in bytes. */
  maxConnectionData: number;
  receiveBufferSize?: number;
  sendBufferSize?: number;
}

export interface QuinnConfig {
  readonly __brand?: 'QuinnConfig';
}

export interface QuinnStream {
  id(): string;
  /** Up to `max` bytes; `null` once the remote finished its sending side. Rejects on reset/close. */
  read(max: number): Promise<Uint8Array | null>;
  /** Resolves when all of `data` is in quinn's send buffer. Callers must not overlap writes. */
  write(data: Uint8Array): Promise<void>;
  /** Sends FIN after the data already written. */
  finishWrite(): Promise<void> | void;
  resetWrite(): Promise<void> | void;
  stopRead(): Promise<void> | void;
}

export interface QuinnConnection {
  inboundStream(): Promise<QuinnStream>;
  outboundStream(): Promise<QuinnStream>;
  /** Close at once (application code 0); unsent stream data is discarded. */
  abort(): void;
  /** Smoothed RTT in whole ms. */
  rtt(): number;
  id(): string;
  /** `/ip4/<ip>/udp/<port>/quic-v1/p2p/<peer id>`: the peer id comes from the TLS certificate. */
  remoteMultiaddr(): string;
  /** Settles when the connection is closed, for any reason (it does not say which). */
  closed(): Promise<void>;
}

export interface QuinnServer {
  port(): number;
  /** Rejects once the server is aborted. */
  inboundConnection(): Promise<QuinnConnection>;
  /** Closes the endpoint (and its connections), waits for it to go idle, unbinds. */
  abort(): Promise<void>;
}

export interface QuinnClient {
  outboundConnection(ip: string, port: number): Promise<QuinnConnection>;
  abort(): void;
}

export interface QuinnBinding {
  QuinnConfig: new (init: QuinnConfigInit) => QuinnConfig;
  Server: new (config: QuinnConfig, ip: string, port: number) => QuinnServer;
  /** `family`: 0 = IPv4, 1 = IPv6 (binds an ephemeral UDP port). */
  Client: new (config: QuinnConfig, family: 0 | 1) => QuinnClient;
}
