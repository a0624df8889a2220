/** Public types of the gateway client library (docs/protocol.md §7). */
import type { ErrorCode } from '../protocol/errors';

export interface ConnectOptions {
  /** `https://host:port` = QUIC, `tls://host:port` = TLS over TCP. */
  url: string;
  /**
   * QUIC stack for `https://` URLs: `ngtcp2` (the project's addon) or `quinn`. Both speak the same
   * wire to any gateway. Default: MACULA_QUIC_STACK, else ngtcp2 when its addon is built.
   */
  quicStack?: 'ngtcp2' | 'quinn';
  /** Realm to join, e.g. `be.cortexiq.energy`. */
  realm: string;
  /** Realm token, when the gateway requires one. */
  token?: string;
  /** Stable client name for logs and admin APIs; a random one is made when absent. */
  clientId?: string;
  /** Accept the gateway's development identity without verification (or `MACULA_TLS_INSECURE=1`). */
  insecure?: boolean;
  /** TLS: PEM CA bundle the gateway certificate must chain to. */
  caPem?: string;
  /** Gateway identities to accept (QUIC peer ids or TLS SHA-256 fingerprints). */
  pinned?: string[];
  /** Reconnect after a lost connection, restoring subscriptions and registrations (default true). */
  reconnect?: boolean;
  /** Give up a single connection attempt after this many ms (default 5000). */
  connectTimeoutMs?: number;
}

export interface EventMeta {
  topic: string;
  /** Session id of the publishing client. */
  publisher: string;
  /** Gateway the publisher is attached to. */
  gatewayId: string;
}

export type EventHandler<T = unknown> = (payload: T, meta: EventMeta) => void | Promise<void>;

export interface SubscribeOptions {
  /**
   * Durable name: the gateway keeps this subscription's events while the client is away and
   * replays what was not acknowledged when a client subscribes again under the same name.
   * The client acknowledges an event once its handler has returned (or its promise resolved).
   */
  durable?: string;
  /**
   * Durable only: how many handlers may run at once (default 1). They start in delivery order, and
   * the acknowledgement only covers events whose handler and every earlier one have finished, so a
   * consumer that commits in batches returns a promise per event that settles at its commit.
   */
  maxInFlight?: number;
}

export interface Subscription {
  readonly pattern: string;
  /** Events the gateway dropped for this subscription (slow consumer or durable overflow). */
  readonly dropped: number;
  /**
   * Copies of publications this subscription had already received, dropped instead of handled: a
   * publisher's client sends again what its gateway had not acknowledged when it lost it, and a
   * restarted gateway delivers those again (docs/protocol.md §2, republish).
   */
  readonly duplicates: number;
  unsubscribe(): Promise<void>;
}

/**
 * By default a publication is kept by the client until its gateway acknowledges it, and sent again
 * after a reconnect (never delivered twice); `publish()` resolves at once while little waits for
 * acknowledgement and otherwise once enough was acknowledged, so an awaited loop is paced.
 */
export interface PublishOptions {
  /** Resolve only once the gateway has acknowledged this publication (and every earlier one). */
  ack?: boolean;
  /**
   * Fire and forget: written once if connected, never kept or sent again, dropped while the client
   * is reconnecting; lost if the gateway dies before reading it. Paced only by the transport.
   */
  unreliable?: boolean;
  /** Do not deliver to this client's own matching subscriptions. */
  excludeMe?: boolean;
}

export interface InvocationMeta {
  procedure: string;
  /** Session id of the caller. */
  caller: string;
}

export type RpcHandler<A = unknown, R = unknown> = (args: A, meta: InvocationMeta) => R | Promise<R>;

export interface Registration {
  readonly procedure: string;
  unregister(): Promise<void>;
}

export interface CallOptions {
  /** Fail with `timeout` after this many ms (default 10000). */
  timeoutMs?: number;
}

/**
 * `error` carries a GatewayError or the exception itself: a handler that threw, a payload that did
 * not decode, an error to a publish without `ack`, a restore refused after a reconnect, a
 * registration the gateway withdrew.
 */
export type ClientEvent = 'disconnected' | 'reconnected' | 'dropped' | 'error';

export interface GatewayClient {
  readonly sessionId: string;
  readonly gatewayId: string;
  subscribe<T = unknown>(
    pattern: string,
    handler: EventHandler<T>,
    options?: SubscribeOptions,
  ): Promise<Subscription>;
  publish(topic: string, payload: unknown, options?: PublishOptions): Promise<void>;
  register<A = unknown, R = unknown>(procedure: string, handler: RpcHandler<A, R>): Promise<Registration>;
  call<R = unknown>(procedure: string, args?: unknown, options?: CallOptions): Promise<R>;
  /**
   * Resolves when every publication so far has been acknowledged by the gateway (and unreliable
   * ones handed to the transport); while reconnecting, once they have been sent again and
   * acknowledged.
   */
  flush(): Promise<void>;
  on(event: ClientEvent, listener: (detail?: unknown) => void): void;
  close(): Promise<void>;
}

export type { ErrorCode };
