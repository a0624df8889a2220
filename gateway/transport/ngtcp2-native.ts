/**
 * Loads the project's own QUIC addon (native/quic: ngtcp2 + GnuTLS, built by `npm run
 * build:native`) and routes its events to the connections they belong to.
 *
 * The addon reports everything through one callback, `emit(type, id, a, b)`, called from libuv's
 * poll phase like any socket callback; an `EventSink` per connection id receives them.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { AdmissionCounters } from './transport';

const ADDON_RELATIVE = path.join('native', 'quic', 'build', 'Release', 'cortexiq_quic.node');
/** The repository root: two levels up from gateway/transport, three from dist/gateway/transport. */
const ROOT = [path.join(__dirname, '..', '..'), path.join(__dirname, '..', '..', '..')].find((dir) =>
  existsSync(path.join(dir, 'package.json')),
)!;
export const NGTCP2_ADDON = path.join(ROOT, ADDON_RELATIVE);

export const enum QuicEvent {
  Handshake = 1,
  Data = 2,
  Fin = 3,
  Close = 4,
  Drain = 5,
}

export interface NativeEndpoint {
  port(): number;
  dial(ip: string, port: number): number;
  /** Bytes, or several chunks appended in order (copied once, in the addon). */
  write(id: number, bytes: Uint8Array | Uint8Array[]): number;
  finish(id: number): void;
  close(id: number, code: number, reason: string): void;
  rtt(id: number): number;
  /** One connection's send side (connection.h, Stats): undefined once it is gone. */
  connStats(id: number): Record<string, number> | undefined;
  shutdown(): void;
  /** Send-path counters, and a listening endpoint's admission counters. */
  stats(): AdmissionCounters;
}

interface Addon {
  Endpoint: new (
    options: EndpointOptions,
    emit: (type: QuicEvent, id: number, a: unknown, b: unknown) => void,
  ) => NativeEndpoint;
}

/**
 * The congestion controller of every connection of an endpoint. bbr2 by default: ngtcp2 0.12's
 * cubic caps its window at 2.89 x delivery rate x minimum RTT, which starves a receiver whose
 * acknowledgements wait for its event loop (native/quic/src/endpoint.h, docs/loss.md).
 */
export type CongestionControl = 'cubic' | 'bbr' | 'bbr2';

export interface EndpointOptions {
  server: boolean;
  host: string;
  port: number;
  certPem: string;
  keyPem: string;
  idleMs: number;
  keepAliveMs: number;
  handshakeMs: number;
  congestionControl?: CongestionControl;
  /** Listener only: Retry threshold and caps (admission.h; absent: the addon's defaults). */
  retryAbove?: number;
  maxHalfOpen?: number;
  maxHalfOpenPerAddress?: number;
  maxConnections?: number;
}

/** What one connection id receives. */
export interface EventSink {
  handshake(certDer: Buffer | undefined, remote: string): void;
  /** `unsent`: what the connection's writes still hold back from packets as the chunk arrives. */
  data(chunk: Buffer, unsent: number): void;
  fin(): void;
  close(reason: string, graceful: boolean): void;
  drain(): void;
}

let addon: Addon | undefined;

/** Whether the addon was built on this machine (it needs libngtcp2 and GnuTLS). */
export function ngtcp2Available(): boolean {
  return addon !== undefined || existsSync(NGTCP2_ADDON);
}

function loadAddon(): Addon {
  if (addon) return addon;
  if (!existsSync(NGTCP2_ADDON)) {
    throw new Error(
      `QUIC (ngtcp2): the addon is not built (${NGTCP2_ADDON}); run \`npm run build:native\` ` +
        '(needs libngtcp2-dev, libngtcp2-crypto-gnutls-dev and libgnutls28-dev) or set MACULA_QUIC_STACK=quinn',
    );
  }
  addon = require(NGTCP2_ADDON) as Addon;
  return addon;
}

/** One native endpoint (UDP socket) and the sinks of its connections. */
export class EndpointHost {
  readonly native: NativeEndpoint;
  private readonly sinks = new Map<number, EventSink>();

  /** `onUnknown` receives the first event of a connection nobody registered (listener: a new peer). */
  constructor(
    options: EndpointOptions,
    private readonly onUnknown?: (id: number, type: QuicEvent, a: unknown, b: unknown) => void,
  ) {
    this.native = new (loadAddon().Endpoint)(options, (type, id, a, b) => this.dispatch(type, id, a, b));
  }

  register(id: number, sink: EventSink): void {
    this.sinks.set(id, sink);
  }

  forget(id: number): void {
    this.sinks.delete(id);
  }

  private dispatch(type: QuicEvent, id: number, a: unknown, b: unknown): void {
    const sink = this.sinks.get(id);
    if (!sink) {
      if (type !== QuicEvent.Close) this.onUnknown?.(id, type, a, b);
      return;
    }
    switch (type) {
      case QuicEvent.Handshake:
        return sink.handshake(a as Buffer | undefined, b as string);
      case QuicEvent.Data:
        return sink.data(a as Buffer, b as number);
      case QuicEvent.Fin:
        return sink.fin();
      case QuicEvent.Close:
        this.sinks.delete(id);
        return sink.close(a as string, b as boolean);
      case QuicEvent.Drain:
        return sink.drain();
    }
  }
}
