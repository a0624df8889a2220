/**
 * The router of one gateway (docs/protocol.md §2–3): takes each new connection to a client session
 * or a mesh link, keeps the local subscription index, registrations and durable subscriptions,
 * delivers publications locally and hands them to the mesh. It hosts the sessions (SessionHost)
 * and the mesh (MeshHost); the composition root (gateway.ts) only wires it to listeners, dialers
 * and the admin API.
 */
import type { Logger } from 'pino';
import { GatewayError } from './protocol/errors';
import { FrameStream } from './protocol/frame-stream';
import { M } from './protocol/messages';
import { encodeFrame, type Frame } from './protocol/frames';
import type { GatewayConfig, PeerUrl, TransportName } from './core/config';
import { PatternIndex } from './core/pattern-index';
import { Rpc } from './core/rpc';
import { ClientSession, type SessionHost } from './core/session';
import { GatewayStats } from './core/stats';
import type { DurableSubscription, Subscriber } from './core/subscribers';
import { DurableStore } from './core/durable-store';
import type { DurableLog } from './durable/durable-log';
import { openDurableLog } from './durable/open';
import type { LinkPosition } from './durable/records';
import { Mesh, type LinkWritten, type MeshHost } from './mesh/mesh';
import { RecentIds } from './protocol/recent-ids';
import type { NodeIdentity } from './transport/identity';
import type { Connection, TransportSecurity } from './transport/transport';
import { loadTransport } from './transport/select';

export class Router implements SessionHost, MeshHost {
  readonly gatewayId: string;
  readonly epoch = Date.now();
  readonly rpc = new Rpc();
  readonly stats = new GatewayStats();
  readonly sessions = new Map<string, ClientSession>();
  readonly subscribers = new PatternIndex<Subscriber>();
  readonly durables: DurableStore;
  /** Set with GATEWAY_DATA_DIR: durable subscriptions survive a crash (docs/loss.md). */
  readonly durableLog: DurableLog | undefined;
  /** Peers this gateway was linked to before a restart (from the durable log). */
  readonly restartPeers: readonly string[] = [];
  readonly mesh: Mesh;
  /**
   * Tracked publications by (pubStream, pubSeq) that this gateway routed for its clients, and that
   * it delivered to its own subscribers: a client republishes what was not acknowledged after
   * reconnecting, and some of it may have been routed or delivered (docs/protocol.md §2,
   * republish). Two sets, because a gateway that delivered a copy from the mesh must still route a
   * republished one toward the others. A window of 2^17 covers the client's bound on
   * unacknowledged publications (100,000); 1,024 streams at 16 KiB bound each set to 16 MiB.
   */
  private readonly routedHere = new RecentIds(17, 1024);
  private readonly deliveredHere = new RecentIds(17, 1024);
  private lastDurableNotice = 0;
  private nextSession = 1;
  /** Connections that have not sent their first frame yet, per transport, oldest first. */
  private readonly preHello = new Map<TransportName, Set<Connection>>();
  private stopping = false;

  constructor(
    readonly config: GatewayConfig,
    readonly log: Logger,
    readonly identity: NodeIdentity,
  ) {
    this.gatewayId = config.gatewayId;
    this.durables = new DurableStore(
      {
        maxMessages: config.durableMaxMessages,
        maxBytes: config.durableMaxBytes,
        maxCount: config.durableMaxCount,
        totalMaxBytes: config.durableTotalMaxBytes,
        expireMs: config.durableExpireMs,
      },
      {
        added: (sub) => this.addSubscriber(sub),
        removed: (sub) => this.removeSubscriber(sub),
        expired: (name, droppedEvents) =>
          this.log.warn(
            { durable: name, droppedEvents, expireS: config.durableExpireMs / 1000 },
            'durable subscription removed: no client within DURABLE_EXPIRE_S',
          ),
        evicted: (count, totalBytes) => this.durableEvicted(count, totalBytes),
      },
    );
    let restore: (() => void) | undefined;
    if (config.dataDir) {
      const opened = openDurableLog({ ...config, dataDir: config.dataDir }, log, this.durables, {
        linkPositions: () => this.linkPositions(),
        committed: () => this.mesh.flushAcks(),
      });
      this.durableLog = opened.log;
      this.restartPeers = opened.restartPeers;
      restore = opened.restore;
    }
    this.mesh = new Mesh(this);
    this.rpc.remote = this.mesh;
    // The restored subscriptions' patterns go into this gateway's first advertisements.
    restore?.();
  }

  /**
   * How far every mesh link has been received, for the durable log's COMMIT; a peer not linked
   * since the start keeps the position the previous run wrote.
   */
  private linkPositions(): LinkPosition[] {
    const out: LinkPosition[] = [];
    for (const l of this.mesh.links.values())
      if (l.inEpoch > 0) out.push({ peer: l.peerId, epoch: l.inEpoch, seq: l.receivedThrough });
    for (const peer of this.restartPeers) {
      const before = this.mesh.links.has(peer) ? undefined : this.restoredLink(peer);
      if (before) out.push({ peer, ...before });
    }
    return out;
  }

  /**
   * Security for dialing another gateway (docs/protocol.md §3). Pinned ids verify either transport; a CA
   * verifies TLS only (QUIC identities are libp2p keys with no CA path). Where the transport cannot
   * verify, the HMAC over MESH_SECRET in the peer handshake is what authenticates both sides.
   */
  private peerDialSecurity(transport: TransportName): TransportSecurity {
    const { config, identity } = this;
    const verified = config.meshPeerIds.length > 0 || (transport === 'tls' && Boolean(config.tls.caPem));
    return {
      certPem: identity.certPem,
      keyPem: identity.keyPem,
      quicSeed: identity.quicSeed,
      caPem: config.tls.caPem,
      pinned: config.meshPeerIds,
      insecure: config.insecure || !verified,
    };
  }

  async dialPeer(peer: PeerUrl): Promise<string> {
    const conn = await loadTransport(peer.transport, this.config.quicStack).dial({
      host: peer.host,
      port: peer.port,
      security: this.peerDialSecurity(peer.transport),
      timeoutMs: 3000,
    });
    const peerId = await this.mesh.establish(
      new FrameStream(conn, meshFrameBytes(this.config.maxFrameBytes)),
      'dialer',
      peer.transport,
      undefined,
      peer.url,
    );
    this.durableLog?.touch();
    return peerId;
  }

  /** A new connection: the first frame says whether it is a client or a peer gateway. */
  accept(conn: Connection, transport: TransportName): void {
    if (this.stopping) return conn.destroy();
    // Until HELLO or PEER_HELLO, a frame may be small only: the decoder allocates a frame's whole
    // announced size, and a stranger must not make the gateway hold a MiB per connection.
    const stream = new FrameStream(conn, PRE_HELLO_MAX_FRAME_BYTES);
    const { handshakeTimeoutMs } = this.config;
    const firstFrameTimer = setTimeout(
      () => conn.destroy(new Error(`no HELLO within ${handshakeTimeoutMs} ms`)),
      handshakeTimeoutMs,
    );
    firstFrameTimer.unref?.();
    this.unauthenticated(conn, transport);
    stream.onBadFrame(() => {
      this.stats.malformedFrames++;
      conn.destroy();
    });
    stream.setHandler((frame: Frame) => {
      clearTimeout(firstFrameTimer);
      this.preHello.get(transport)?.delete(conn);
      const type = frame.header[0];
      // Clients get MAX_FRAME_BYTES exactly; a mesh link carries a client's frame plus routing.
      stream.setMaxFrameBytes(this.config.maxFrameBytes);
      if (type === M.HELLO) {
        const session = new ClientSession(conn, `${this.gatewayId}:${this.nextSession++}`, this);
        this.sessions.set(session.sessionId, session);
        conn.onClose(() => session.cleanup());
        session.start(frame, stream);
      } else if (type === M.PEER_HELLO) {
        if (!this.config.meshSecret && this.config.meshPeerIds.length === 0) {
          // Without a way to authenticate peers, a "peer" would be a client that skipped the realm
          // token (docs/protocol.md §3: an unknown peer is refused and logged).
          this.stats.refusedPeers++;
          this.log.warn(
            { from: conn.remoteAddress },
            'mesh peer refused: set MESH_SECRET or MESH_PEER_IDS to accept peers',
          );
          conn.write(
            encodeFrame([
              M.ABORT,
              'unauthorized',
              'this gateway accepts no mesh peers (no MESH_SECRET or MESH_PEER_IDS)',
            ]),
          );
          conn.close();
          return;
        }
        stream.setMaxFrameBytes(meshFrameBytes(this.config.maxFrameBytes));
        this.mesh
          .establish(stream, 'acceptor', transport, frame)
          .then(() => this.durableLog?.touch())
          .catch((err) =>
            this.log.warn({ from: conn.remoteAddress, err: (err as Error).message }, 'mesh peer refused'),
          );
      } else {
        this.stats.malformedFrames++;
        stream.setHandler(() => undefined);
        conn.destroy(
          new GatewayError(
            'protocol_error',
            `expected HELLO or PEER_HELLO, got message type ${String(type)}`,
          ),
        );
      }
    });
  }

  /**
   * Tracks a connection until its first frame; past MAX_PENDING_HANDSHAKES per transport the oldest
   * is dropped (a real client sends HELLO within a round trip, so the oldest is the likeliest idle).
   */
  private unauthenticated(conn: Connection, transport: TransportName): void {
    let pending = this.preHello.get(transport);
    if (!pending) this.preHello.set(transport, (pending = new Set()));
    pending.add(conn);
    conn.onClose(() => pending.delete(conn));
    if (pending.size <= this.config.maxPendingHandshakes) return;
    const oldest = pending.values().next().value as Connection;
    pending.delete(oldest);
    this.stats.refusedSessions++;
    oldest.destroy(new Error('dropped: too many connections waiting for HELLO (MAX_PENDING_HANDSHAKES)'));
  }

  // --- SessionHost ----------------------------------------------------------------------------

  addSubscriber(sub: Subscriber): void {
    if (this.subscribers.add(sub)) this.mesh.scheduleOriginate();
  }

  removeSubscriber(sub: Subscriber): void {
    if (this.subscribers.remove(sub)) this.mesh.scheduleOriginate();
  }

  proceduresChanged(): void {
    this.mesh.scheduleOriginate();
  }

  durable(name: string, pattern: string, sessionId: string, clientId: string): DurableSubscription {
    return this.durables.getOrCreate(name, pattern, sessionId, clientId).sub;
  }

  dropDurable(name: string): void {
    this.durables.remove(name);
  }

  /** Logged at most once a second: under sustained overflow it would otherwise be per event. */
  private durableEvicted(count: number, totalBytes: number): void {
    const now = Date.now();
    if (now - this.lastDurableNotice < 1000) return;
    this.lastDurableNotice = now;
    this.log.warn(
      { evicted: count, evictedTotal: this.durables.evictedTotal, totalBytes },
      'durable subscriptions over DURABLE_TOTAL_MAX_BYTES: their oldest events were dropped',
    );
  }

  publish(
    topic: string,
    publisher: string,
    payload: Buffer,
    excludeSession: string | undefined,
    stream: string | null = null,
    pubSeq = 0,
    written?: LinkWritten,
  ): void {
    if (stream !== null) {
      // A republished copy of what this gateway already routed (the client lost only the PUBACK).
      if (!this.routedHere.firstTime(stream, 0, pubSeq)) {
        this.stats.publicationDuplicates++;
        return;
      }
      const log = this.durableLog;
      const mark = log?.eventMark ?? 0;
      if (this.deliveredHere.firstTime(stream, 0, pubSeq))
        this.deliverToSubscribers(topic, publisher, this.gatewayId, payload, excludeSession, stream, pubSeq);
      else this.stats.publicationDuplicates++;
      // Kept for a durable subscription here: its PUBACK waits until that is on disk, since no
      // other gateway holds it to send again after a crash (docs/loss.md).
      if (log && written && log.eventMark > mark) written(log, log.eventMark);
    } else this.deliverToSubscribers(topic, publisher, this.gatewayId, payload, excludeSession, null, 0);
    this.mesh.publish(topic, publisher, payload, stream, pubSeq, written);
  }

  /**
   * Registration races (docs/protocol.md): two gateways that each accepted a procedure before
   * the other's advertisement arrived both see the conflict once advertisements cross; the one with
   * the higher id gives its registration up and tells its client, so exactly one keeps serving.
   */
  remoteAdvertised(): void {
    let changed = false;
    for (const procedure of [...this.rpc.registrations.keys()]) {
      const winner = this.mesh.lsdb.outrankedFor(procedure);
      if (winner === undefined) continue;
      const callee = this.rpc.revoke(procedure)!;
      changed = true;
      this.log.warn(
        { procedure, heldBy: winner },
        'registration given up: registered at the same time elsewhere',
      );
      this.sessions
        .get(callee.sessionId)
        ?.revoked(
          callee.regId,
          `registration of ${procedure} withdrawn: gateway ${winner} accepted it at the same time and keeps it`,
        );
    }
    if (changed) this.proceduresChanged();
  }

  heldByOwnSession(asker: ClientSession, holderSessionId: string): void {
    const holder = this.sessions.get(holderSessionId);
    // Only the same client id: another client's holder is not ours to question.
    if (holder && holder !== asker && asker.clientId !== '' && holder.clientId === asker.clientId)
      holder.probeHolder();
  }

  sessionClosed(session: ClientSession): void {
    this.sessions.delete(session.sessionId);
    if (this.rpc.sessionClosed(session.sessionId).length > 0) this.mesh.scheduleOriginate();
  }

  // --- MeshHost -------------------------------------------------------------------------------

  linkAckLimit(peer: string, epoch: number, inSeq: number): number {
    return this.durableLog ? this.durableLog.ackLimit(peer, epoch, inSeq) : inSeq;
  }

  restoredLink(peer: string): { epoch: number; seq: number } | undefined {
    return this.durableLog?.committedPosition(peer);
  }

  identityFor(transport: TransportName): string {
    return transport === 'tls' ? this.identity.tlsFingerprint : this.identity.quicPeerId;
  }

  localPatterns(): string[] {
    return this.subscribers.patterns();
  }

  localProcedures(): string[] {
    return [...this.rpc.registrations.keys()].sort();
  }

  /** A publication from another gateway; a republished copy already delivered here is dropped. */
  deliverLocal(
    topic: string,
    publisher: string,
    originGateway: string,
    payload: Buffer,
    stream: string | null,
    pubSeq: number,
  ): void {
    if (stream !== null && !this.deliveredHere.firstTime(stream, 0, pubSeq)) {
      this.stats.publicationDuplicates++;
      return;
    }
    this.deliverToSubscribers(topic, publisher, originGateway, payload, undefined, stream, pubSeq);
  }

  private deliverToSubscribers(
    topic: string,
    publisher: string,
    originGateway: string,
    payload: Buffer,
    excludeSession: string | undefined,
    stream: string | null,
    pubSeq: number,
  ): void {
    const subs = this.subscribers.match(topic);
    for (let i = 0; i < subs.length; i++) {
      const sub = subs[i];
      if (excludeSession !== undefined && sub.sessionId === excludeSession) continue;
      sub.deliver(topic, publisher, originGateway, payload, stream, pubSeq);
    }
  }

  /** Closes every client session and the mesh; new connections are refused from now on. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.mesh.stop();
    for (const s of this.sessions.values()) {
      s.conn.close();
      s.cleanup();
    }
  }
}

/** HELLO and PEER_HELLO carry a realm, a token, ids and a nonce: a few hundred bytes. */
const PRE_HELLO_MAX_FRAME_BYTES = 8 * 1024;

/** Frame bound on mesh links: a client frame at the limit plus the routing header around it. */
function meshFrameBytes(clientMax: number): number {
  return clientMax + 64 * 1024;
}
