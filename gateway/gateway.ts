/**
 * One gateway process (docs/protocol.md): the composition root. It builds the router (router.ts),
 * opens the listeners on QUIC and TLS/TCP and hands their connections to it, dials the configured
 * peers, starts the admin HTTP API and the periodic checks, and stops all of it. Built separately
 * from any process entry so tests run several gateways in one process.
 */
import pino, { type Logger } from 'pino';
import type { GatewayConfig, TransportName } from './core/config';
import { Router } from './router';
import { PeerDialer } from './mesh/dialer';
import { devIdentity, identityFromPem, listenerSecurity, type NodeIdentity } from './transport/identity';
import type { Listener } from './transport/transport';
import { loadTransport } from './transport/select';
import { startAdmin, type AdminServer } from './admin/server';

export interface StartOptions {
  logger?: Logger;
  /** Reuse an identity (tests); otherwise from config or a fresh development identity. */
  identity?: NodeIdentity;
}

export class Gateway {
  readonly router: Router;
  readonly listeners = new Map<TransportName, Listener>();
  readonly dialers: PeerDialer[] = [];
  admin: AdminServer | undefined;
  ready = false;
  private livenessTimer: NodeJS.Timeout | undefined;
  private durableExpiryTimer: NodeJS.Timeout | undefined;
  private stopping = false;

  private constructor(
    readonly config: GatewayConfig,
    readonly log: Logger,
    readonly identity: NodeIdentity,
  ) {
    this.router = new Router(config, log, identity);
  }

  // What the admin API, tests and benchmarks read, all kept by the router.
  get gatewayId() {
    return this.router.gatewayId;
  }
  get epoch() {
    return this.router.epoch;
  }
  get rpc() {
    return this.router.rpc;
  }
  get stats() {
    return this.router.stats;
  }
  get sessions() {
    return this.router.sessions;
  }
  get subscribers() {
    return this.router.subscribers;
  }
  get durables() {
    return this.router.durables;
  }
  get mesh() {
    return this.router.mesh;
  }

  static async start(config: GatewayConfig, options: StartOptions = {}): Promise<Gateway> {
    const log = options.logger ?? pino({ level: config.logLevel, base: { gateway: config.gatewayId } });
    const identity =
      options.identity ??
      (config.tls.certPem && config.tls.keyPem
        ? identityFromPem({
            certPem: config.tls.certPem,
            keyPem: config.tls.keyPem,
            quicSeedHex: config.tls.quicSeed ? Buffer.from(config.tls.quicSeed).toString('hex') : undefined,
          })
        : await devIdentity({ commonName: config.gatewayId, quicSeed: config.tls.quicSeed }));
    if (!config.meshSecret && config.meshPeerIds.length === 0) {
      log.info('neither MESH_SECRET nor MESH_PEER_IDS is set: this gateway refuses mesh peers (standalone)');
    }
    const gw = new Gateway(config, log, identity);
    try {
      for (const name of config.transports) {
        const listener = await loadTransport(name, config.quicStack).listen(
          {
            host: config.host,
            port: config.port,
            security: listenerSecurity(identity, { requestClientCert: true }),
            handshakeTimeoutMs: config.handshakeTimeoutMs,
            maxPendingHandshakes: config.maxPendingHandshakes,
            quic: config.quicAdmission,
          },
          (conn) => gw.router.accept(conn, name),
        );
        gw.listeners.set(name, listener);
      }
      gw.admin = await startAdmin(gw);
      for (const peer of [...config.meshPeers, ...(config.hubUrl ? [config.hubUrl] : [])]) {
        const dialer = new PeerDialer(
          peer,
          {
            connect: (p) => gw.router.dialPeer(p),
            isLinked: (id) => gw.mesh.links.get(id)?.connected ?? false,
          },
          log,
        );
        gw.dialers.push(dialer);
        dialer.start();
      }
    } catch (err) {
      await gw.stop();
      throw err;
    }
    gw.livenessTimer = setInterval(() => {
      const now = Date.now();
      for (const session of gw.sessions.values())
        session.checkLiveness(now, CLIENT_PING_AFTER_MS, CLIENT_CLOSE_AFTER_MS);
    }, CLIENT_PING_AFTER_MS / 2);
    gw.livenessTimer.unref?.();
    if (config.durableExpireMs > 0) {
      // Checked every tenth of the expiry (between 1 s and 60 s), so a subscription outlives its
      // expiry by at most that much.
      const every = Math.max(1000, Math.min(60_000, config.durableExpireMs / 10));
      gw.durableExpiryTimer = setInterval(() => gw.durables.expire(), every);
      gw.durableExpiryTimer.unref?.();
    }
    // Ready once listening and every configured peer has been tried at least once (docs/protocol.md §5).
    void Promise.all(gw.dialers.map((d) => d.firstAttempt)).then(() => (gw.ready = true));
    log.info({ listeners: gw.urls(), admin: gw.admin?.url }, 'gateway started');
    return gw;
  }

  /** Client URLs of this gateway, per transport. */
  urls(host = '127.0.0.1'): Partial<Record<TransportName, string>> {
    const out: Partial<Record<TransportName, string>> = {};
    for (const [name, l] of this.listeners)
      out[name] = `${name === 'quic' ? 'https' : 'tls'}://${host}:${l.port}`;
    return out;
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.livenessTimer) clearInterval(this.livenessTimer);
    if (this.durableExpiryTimer) clearInterval(this.durableExpiryTimer);
    for (const d of this.dialers) d.stop();
    this.router.stop();
    await this.router.durableLog?.close();
    await Promise.all([...this.listeners.values()].map((l) => l.close().catch(() => undefined)));
    await this.admin?.close();
    this.log.info('gateway stopped');
  }
}

/** A client silent this long is pinged; silent for the second figure, its session is closed. */
const CLIENT_PING_AFTER_MS = 10_000;
const CLIENT_CLOSE_AFTER_MS = 30_000;
