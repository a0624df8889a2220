/**
 * The mesh (docs/protocol.md §3): links to neighbour gateways, link-state flooding of interest and
 * procedures, forwarding of publications only toward interest, RPC to the nearest serving
 * gateway, rerouting on link loss and per-link replay within MESH_REPLAY_S.
 *
 * Forwarding partitions a message's destination set by next hop at every gateway, so each
 * destination is on exactly one branch: no loops, no duplicates, even while views differ. A hop
 * limit bounds anything that could still circle during convergence.
 */
import type { Logger } from 'pino';
import type { GatewayConfig, TransportName } from '../core/config';
import type { RemoteRouter, Reply, Rpc } from '../core/rpc';
import type { GatewayStats } from '../core/stats';
import type { AckedLink } from '../core/publication-acks';
import { encodeFrame, type Frame } from '../protocol/frames';
import type { FrameStream } from '../protocol/frame-stream';
import { K, M } from '../protocol/messages';
import type { Connection } from '../transport/transport';
import { RecentIds } from '../protocol/recent-ids';
import { PeerLink, type MeshMessage } from './link';
import { LinkStateDb, type Lsa } from './lsdb';
import { HandshakeError, PeerHandshake, type HandshakeResult } from './peer-handshake';
import { partitionByNextHop, seqsFor } from './partition';
import { decodeDataFrame } from './data-frame';
import { decodeLsa, encodeLsa } from './lsa-codec';
import { RemoteCalls } from './remote-calls';
import { LossLedger, type LossReason } from './loss-ledger';
import { HeldMessages } from './held';
import { Forgotten } from './forgotten';
import { StartupHold } from './startup-hold';
import { InOrder } from './in-order';
import { withTimeout } from '../transport/with-timeout';

const MAX_HOPS = 16;
const PING_EVERY_MS = 500;
/**
 * A link silent this long is dead (a cut QUIC path gives no error): four missed pings. It sets how
 * soon traffic reroutes after a cut (docs/protocol.md §3).
 */
const DEAD_AFTER_MS = 2000;
/**
 * The longest a client's PUBACK waits for a link's acknowledgement (publication-acks.ts): past a
 * dead link's detection (DEAD_AFTER_MS), so only a link that is alive but holds its
 * acknowledgements back reaches it.
 */
const ACK_WAIT_MS = 3000;
/** After a start: the database is taken as synced once no advertisement changed it for this long. */
const STARTUP_QUIET_MS = 300;
const EMPTY = Buffer.alloc(0);

export interface MeshHost {
  readonly gatewayId: string;
  readonly epoch: number;
  readonly config: GatewayConfig;
  readonly log: Logger;
  readonly stats: GatewayStats;
  readonly rpc: Rpc;
  localPatterns(): string[];
  localProcedures(): string[];
  /** `stream`/`pubSeq` identify a tracked publication (docs/protocol.md §2), for duplicates. */
  deliverLocal(
    topic: string,
    publisher: string,
    originGateway: string,
    payload: Buffer,
    stream: string | null,
    pubSeq: number,
  ): void;
  /** Another gateway's advertisement changed: settle procedures registered here and there at once. */
  remoteAdvertised(): void;
  /** This gateway's transport identity (QUIC peer id or TLS fingerprint), bound into peer proofs. */
  identityFor(transport: TransportName): string;
  /** With a durable log: how far `peer`'s link may be acknowledged (gateway/durable/durable-log.ts). */
  linkAckLimit?(peer: string, epoch: number, inSeq: number): number;
  /** With a durable log: how far `peer`'s link was durably received before this process started. */
  restoredLink?(peer: string): { epoch: number; seq: number } | undefined;
  /** Peers linked before a restart (from the durable log): the start hold waits for them too. */
  readonly restartPeers?: readonly string[];
}

/**
 * Told, while a client's tracked publication is routed, each link it went out on and its sequence
 * there: its PUBACK waits for those links' acknowledgements (core/publication-acks.ts).
 */
export type LinkWritten = (link: AckedLink, seq: number) => void;

export class Mesh implements RemoteRouter {
  readonly lsdb: LinkStateDb;
  readonly links = new Map<string, PeerLink>();
  /** Set while a client's tracked publication is routed (publish). */
  private written: LinkWritten | undefined;
  private readonly lastHop = new Map<string, string>();
  private readonly seen = new RecentIds();
  /** Per destination gateway, the sequence number of the last publication this gateway sent it. */
  private readonly seqTo = new Map<string, number>();
  /**
   * Destinations this gateway gave up one of its own publications toward (or forgot): the next one
   * it sends each says so, so the destination does not wait for the gap (in-order.ts).
   */
  private readonly gaveUpToward = new Set<string>();
  /** Publications for this gateway, put back in each origin's order (docs/loss.md "Order after a heal"). */
  readonly inOrder: InOrder<PeerLink>;
  /** The link and its sequence of the MESH_DATA being handled (a message that waits holds its ack). */
  private arrivingVia: PeerLink | undefined;
  private arrivingSeq = 0;
  private readonly calls = new RemoteCalls();
  private version = 0;
  private msgCounter = 0;
  private lsaScheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** When maintain() last ran: a late run means this process stalled, not its peers. */
  private lastMaintain = Date.now();
  /** Every message given up, by destination and reason (docs/loss.md). */
  readonly losses: LossLedger;
  /** Publications waiting for an unreachable destination to come back (docs/loss.md "Holding"). */
  readonly held: HeldMessages;
  /** Interest of gateways whose advertisement expired, so what they miss is still counted. */
  private readonly forgotten = new Forgotten();
  /** Publications held after a start until the mesh's interest is known (startup-hold.ts). */
  private readonly startup: StartupHold | undefined;
  /** When an advertisement last changed the database (the start's sync is over once it is quiet). */
  private lastLsaChange = Date.now();
  private lastPubTopic = '';
  private lastPublisher = '';
  private lastPubStream: string | null = null;
  private lastPubBody: unknown[] = [];

  constructor(private readonly host: MeshHost) {
    this.lsdb = new LinkStateDb(host.gatewayId);
    this.losses = new LossLedger(host.log);
    this.held = new HeldMessages(host.config.meshReplayMaxBytes);
    // A gap is waited for as long as the missing message can still be on its way: the window.
    this.inOrder = new InOrder<PeerLink>(host.config.meshOrderWaitMs, host.config.meshReplayMaxBytes, {
      deliver: (msg) => this.deliver(msg),
      waits: (link, seq) => link.holdBack(seq),
      released: (link, seq) => link.release(seq),
      gap: (origin, first, last, count, why) =>
        host.log.warn(
          { origin, first, last, count, why },
          'mesh: gave up waiting for messages; delivering past them',
        ),
    });
    const { config } = host;
    // Only a gateway that dials peers knows it will be part of a mesh; one that is only dialed
    // (the hub) cannot tell a restart from a lone start, and does not hold.
    // A restart known from the durable log holds too, until the peers it had are back.
    const restarted = (host.restartPeers?.length ?? 0) > 0;
    if (config.meshStartupHoldMs > 0 && (config.meshPeers.length > 0 || config.hubUrl || restarted))
      this.startup = new StartupHold(config.meshReplayMaxBytes, Date.now() + config.meshStartupHoldMs);
    this.originate();
    this.timer = setInterval(() => this.maintain(), PING_EVERY_MS);
    this.timer.unref?.();
  }

  // --- links ----------------------------------------------------------------------------------

  /** Run the peer handshake on a connection, then make it the link to that peer. */
  async establish(
    stream: FrameStream,
    role: 'dialer' | 'acceptor',
    transport: TransportName,
    first?: Frame,
    url?: string,
  ): Promise<string> {
    const { config } = this.host;
    const conn = stream.conn;
    const handshake = new PeerHandshake(
      conn,
      {
        gatewayId: this.host.gatewayId,
        realm: config.realm,
        epoch: this.host.epoch,
        secret: config.meshSecret,
        pinned: config.meshPeerIds,
        localIdentity: this.host.identityFor(transport),
        lastReceived: (peer, epoch) => {
          const link = this.links.get(peer);
          if (link) return link.inEpoch === epoch ? link.ackable : 0;
          const before = this.host.restoredLink?.(peer);
          return before && before.epoch === epoch ? before.seq : 0;
        },
      },
      role,
    );
    // Set once the handshake is done; the frame handler below switches on it.
    const peer: { id?: string } = {};
    const early: Frame[] = [];
    stream.onBadFrame((err) => {
      this.host.stats.malformedFrames++;
      this.host.log.warn({ peer: peer.id, err: err.message }, 'bad frame from peer; closing link');
      conn.destroy(err);
    });
    // Frames that arrive after the handshake finished but before the link is adopted wait in
    // `early`, so nothing sent right behind PEER_READY is lost or misread.
    stream.setHandler((frame) => {
      if (peer.id) this.onLinkFrame(peer.id, conn, frame);
      else if (handshake.finished) early.push(frame);
      else handshake.onFrame(frame);
    });
    const closed = new Promise<never>((_, reject) =>
      conn.onClose((err) => reject(err ?? new Error('connection closed during the peer handshake'))),
    );
    closed.catch(() => undefined);
    if (first) handshake.onFrame(first);
    let result: HandshakeResult;
    try {
      result = await withTimeout(
        Promise.race([handshake.done, closed]),
        5000,
        () => new Error('peer handshake timed out'),
      );
    } catch (err) {
      this.host.stats.refusedPeers++;
      // A refusal we sent (ABORT with the reason) goes out before the connection ends, so the
      // other side can say why; the close is bounded by the transport's grace period.
      if (err instanceof HandshakeError) conn.close();
      else conn.destroy();
      throw err;
    }
    const peerId = (peer.id = result.peerId);
    this.adopt(conn, result, role === 'dialer', url);
    for (const frame of early.splice(0)) this.onLinkFrame(peerId, conn, frame);
    return peerId;
  }

  private adopt(conn: Connection, hs: HandshakeResult, dialedBySelf: boolean, url?: string): void {
    let link = this.links.get(hs.peerId);
    if (!link) {
      link = new PeerLink(hs.peerId, this.host.config.meshReplayMaxBytes, this.host.stats);
      this.links.set(hs.peerId, link);
      const limit = this.host.linkAckLimit?.bind(this.host);
      const theLink = link;
      if (limit) link.ackLimit = (inSeq) => limit(theLink.peerId, theLink.inEpoch, inSeq);
      // Received before a restart: the neighbour resends only what comes after.
      const before = this.host.restoredLink?.(hs.peerId);
      if (before && before.epoch === hs.peerEpoch) {
        link.inEpoch = before.epoch;
        link.inSeq = before.seq;
      }
    }
    if (url) link.url = url;
    if (link.conn && link.conn !== conn) {
      // A redial in the same direction, or from a restarted peer, replaces a connection that is
      // stale but not yet declared dead. When both sides dialed, keep the connection dialed by the
      // smaller id, on both sides alike.
      const sameDirection = link.dialedBySelf === dialedBySelf;
      const restarted = hs.peerEpoch > link.remoteEpoch;
      const newWins =
        sameDirection ||
        restarted ||
        (dialedBySelf ? this.host.gatewayId < hs.peerId : hs.peerId < this.host.gatewayId);
      if (!newWins) {
        conn.close();
        return;
      }
      const old = link.conn;
      link.detach();
      old.close();
    }
    link.resetIncoming(hs.peerEpoch);
    link.remoteEpoch = hs.peerEpoch;
    link.dialedBySelf = dialedBySelf;
    const theLink = link;
    conn.onClose(() => {
      if (theLink.conn === conn) this.linkDown(theLink);
    });
    // Database sync first: the new neighbour gets everything we know before the replay below, so
    // after a partition heals it forwards what is replayed by our current view, not a stale one.
    for (const lsa of this.lsdb.entries.values()) this.write(conn, encodeLsa(lsa));
    const replayedBefore = link.replayed;
    for (const run of link.settleExpired(hs.peerReceived))
      for (const dest of run.dests) this.losses.retract(dest, run.count, run.first, run.last);
    link.attach(conn, hs.peerReceived);
    this.ownLinksChanged();
    this.topologyChanged();
    this.host.stats.meshReplayed += link.replayed - replayedBefore;
    this.host.log.info({ peer: hs.peerId, replayed: link.replayed - replayedBefore }, 'mesh link up');
    this.scheduleOriginate();
  }

  private linkDown(link: PeerLink): void {
    link.detach();
    this.ownLinksChanged();
    this.host.log.warn({ peer: link.peerId }, 'mesh link down');
    this.originateNow();
    // Reroute what was in flight toward destinations still reachable another way; the rest stays
    // buffered on this link for replay if it comes back within the window.
    const moved = link.takeUnacked((dest) => this.lsdb.reachable(dest));
    for (const msg of moved) this.forward({ ...msg, hops: Math.max(0, msg.hops - 1) });
  }

  private onLinkFrame(peerId: string, conn: Connection, frame: Frame): void {
    const link = this.links.get(peerId);
    if (!link || link.conn !== conn) return;
    link.lastHeard = Date.now();
    const h = frame.header;
    this.host.stats.countIn(h[0] as number, frame.bytes ?? 0);
    switch (h[0]) {
      case M.MESH_DATA: {
        const data = decodeDataFrame(h, frame.payload);
        if (!data) {
          this.host.stats.malformedFrames++;
          conn.destroy(new Error('malformed MESH_DATA'));
          return;
        }
        if (!link.accept(data.seq)) {
          this.host.stats.meshDuplicates++;
          return;
        }
        this.arrivingVia = link;
        this.arrivingSeq = data.seq;
        this.forward(data.msg);
        this.arrivingVia = undefined;
        return;
      }
      case M.LINK_ACK:
        link.acked(h[1] as number);
        return;
      case M.LSA: {
        const lsa = decodeLsa(h);
        if (lsa && lsa.origin !== this.host.gatewayId && this.lsdb.apply(lsa)) {
          this.forgotten.delete(lsa.origin);
          this.lastLsaChange = Date.now();
          this.topologyChanged();
          this.host.remoteAdvertised();
          for (const other of this.links.values())
            if (other !== link && other.conn) this.write(other.conn, encodeLsa(lsa));
        }
        return;
      }
      case M.LINK_PING:
        this.write(conn, encodeFrame([M.LINK_PONG, h[1]]));
        return;
      case M.LINK_PONG:
        link.rttMs = Date.now() - (h[1] as number);
        return;
      default:
        this.host.log.warn({ peer: peerId, type: h[0] }, 'unexpected frame on mesh link');
    }
  }

  /** The durable log made a batch durable: links acknowledge what it covered. */
  flushAcks(): void {
    for (const link of this.links.values()) link.flushAck();
  }

  // --- link state -----------------------------------------------------------------------------

  /** Local interest or procedures changed: advertise soon (batched per event-loop turn). */
  scheduleOriginate(): void {
    if (this.lsaScheduled) return;
    this.lsaScheduled = true;
    setImmediate(() => {
      this.lsaScheduled = false;
      this.originateNow();
    });
  }

  private originateNow(): void {
    if (this.stopped) return;
    const lsa = this.originate();
    for (const link of this.links.values()) if (link.conn) this.write(link.conn, encodeLsa(lsa));
  }

  private originate(): Lsa {
    const lsa: Lsa = {
      origin: this.host.gatewayId,
      epoch: this.host.epoch,
      version: ++this.version,
      neighbors: [...this.links.values()]
        .filter((l) => l.connected)
        .map((l) => l.peerId)
        .sort(),
      patterns: this.host.localPatterns(),
      procedures: this.host.localProcedures(),
    };
    this.lsdb.apply(lsa);
    this.topologyChanged();
    return lsa;
  }

  /**
   * First hops follow our live links at once, ahead of the advertisements (lsdb.ts). Callers run
   * topologyChanged after it (linkDown through originateNow).
   */
  private ownLinksChanged(): void {
    const live: string[] = [];
    for (const l of this.links.values()) if (l.connected) live.push(l.peerId);
    this.lsdb.setOwnLinks(live);
  }

  private topologyChanged(): void {
    for (const id of this.lsdb.entries.keys()) {
      const hop = this.lsdb.nextHop(id);
      if (hop) this.lastHop.set(id, hop);
    }
    // Held messages go out, oldest first, as soon as their destination is reachable again.
    for (const dest of this.held.destinations())
      if (this.lsdb.reachable(dest)) for (const msg of this.held.take(dest)) this.forward(msg);
    // A remote call whose serving gateway vanished fails now rather than at its timeout.
    this.calls.failUnserved(
      (dest, procedure) => this.lsdb.reachable(dest) && this.lsdb.serves(dest, procedure),
    );
  }

  // --- forwarding -----------------------------------------------------------------------------

  /** A local client published: send toward every other gateway with matching interest. */
  publish(
    topic: string,
    publisher: string,
    payload: Buffer,
    stream: string | null = null,
    pubSeq = 0,
    written?: LinkWritten,
  ): void {
    if (this.startup && !this.startup.done && !this.startupOver()) {
      if (!this.startup.hold(topic, publisher, payload, stream, pubSeq))
        this.losses.lost('*', 'startup_overflow', `${publisher}@${topic}`);
      return;
    }
    this.written = written;
    this.publishNow(topic, publisher, payload, stream, pubSeq);
    this.written = undefined;
  }

  /**
   * Whether the start's hold can end: every configured peer linked, every linked neighbour's own
   * advertisement received (its database arrives right behind its link; on a loaded machine that
   * can take longer than any quiet period), and the database quiet for STARTUP_QUIET_MS; or the
   * deadline passed. Ending it sends what was held, in order.
   */
  private startupOver(): boolean {
    const hold = this.startup!;
    const now = Date.now();
    const { config } = this.host;
    const expected = config.meshPeers.length + (config.hubUrl ? 1 : 0);
    let linked = 0;
    for (const l of this.links.values()) if (l.connected && l.url) linked++;
    const back = (this.host.restartPeers ?? []).every((p) => this.links.get(p)?.connected);
    let heard = true;
    for (const l of this.links.values()) if (l.connected && !this.lsdb.entries.has(l.peerId)) heard = false;
    const learned = linked >= expected && back && heard && now - this.lastLsaChange >= STARTUP_QUIET_MS;
    if (!learned && now < hold.deadline) return false;
    const held = hold.release();
    this.host.log.info({ held: held.length, learned }, 'mesh start: interest known, held publications sent');
    for (const p of held) this.publishNow(p.topic, p.publisher, p.payload, p.stream, p.pubSeq);
    return true;
  }

  private publishNow(
    topic: string,
    publisher: string,
    payload: Buffer,
    stream: string | null,
    pubSeq: number,
  ): void {
    const dests = this.lsdb.interestedIn(topic);
    if (this.forgotten.size > 0) {
      // A gateway whose advertisement expired still had this interest: what it misses is counted.
      for (const gone of this.forgotten.interestedIn(topic))
        this.losses.lost(gone, 'forgotten', `${this.host.gatewayId}#${this.msgCounter + 1}`);
    }
    if (dests.length === 0) return;
    // The same body array for a run of (topic, publisher) lets the link reuse its encoded header.
    if (topic !== this.lastPubTopic || publisher !== this.lastPublisher || stream !== this.lastPubStream) {
      this.lastPubBody = [K.PUB, topic, publisher, stream];
      this.lastPubTopic = topic;
      this.lastPublisher = publisher;
      this.lastPubStream = stream;
    }
    this.originateData(dests as string[], this.lastPubBody, payload, true, pubSeq);
  }

  private forward(msg: MeshMessage): void {
    const self = this.host.gatewayId;
    if (msg.dests.length === 1) {
      // The common cases (arrived, or one interested gateway, or an RPC): no partition needed.
      if (msg.dests[0] === self) return this.arrived(msg, msg.destSeqs[0]);
      const hop = this.route(msg.dests[0]);
      if (!hop) this.noRoute(msg.dests[0], msg);
      else if (msg.hops >= MAX_HOPS) this.giveUp(msg.dests[0], 'hop_limit', msg);
      else {
        // Every message object is this gateway's own (made at origin or decoded here): no copy.
        msg.hops++;
        this.sendOn(hop, msg);
      }
      return;
    }
    const p = partitionByNextHop(msg.dests, self, (d) => this.route(d));
    if (p.local) this.arrived(msg, msg.destSeqs[msg.dests.indexOf(self)]);
    for (const dest of p.unroutable) this.noRoute(dest, msg);
    if (p.groups.size === 0) return;
    if (msg.hops >= MAX_HOPS) {
      for (const dests of p.groups.values()) for (const dest of dests) this.giveUp(dest, 'hop_limit', msg);
      return;
    }
    for (const [hop, dests] of p.groups)
      this.sendOn(hop, { ...msg, hops: msg.hops + 1, dests, destSeqs: seqsFor(msg, dests) });
  }

  /** A message for this gateway: duplicates dropped, the rest delivered in its origin's order. */
  private arrived(msg: MeshMessage, seq: number): void {
    if (this.seen.firstTime(msg.origin, msg.originEpoch, msg.msgId))
      this.inOrder.accept(msg, seq, this.arrivingVia, this.arrivingSeq);
    else this.host.stats.meshDuplicates++;
  }

  private sendOn(hop: string, msg: MeshMessage): void {
    const link = this.links.get(hop)!;
    if (link.send(msg)) {
      this.host.stats.meshForwarded++;
      this.written?.(link, link.lastSeq);
      return;
    }
    // Link down and its replay buffer full: reported, never silent (docs/protocol.md §3).
    this.host.stats.meshLinkOverflow++;
    for (const dest of msg.dests) this.giveUp(dest, 'link_overflow', msg);
  }

  /**
   * No route to `dest` right now. A publication for a gateway whose advertisement is still valid
   * waits for it (held.ts); anything else is given up, counted.
   */
  private noRoute(dest: string, msg: MeshMessage): void {
    if (msg.body[0] !== K.PUB || !this.lsdb.entries.has(dest)) return this.giveUp(dest, 'unroutable', msg);
    if (!this.held.hold(dest, msg)) this.giveUp(dest, 'held_overflow', msg);
  }

  private giveUp(dest: string, reason: LossReason, msg: MeshMessage): void {
    if (reason === 'unroutable' || reason === 'hop_limit') this.host.stats.meshUnroutable++;
    if (msg.origin === this.host.gatewayId && msg.body[0] === K.PUB) this.gaveUpToward.add(dest);
    this.losses.lost(dest, reason, `${msg.origin}#${msg.msgId}`);
  }

  /** Next hop toward `dest`; for a destination cut off right now, the link it was last reached by. */
  private route(dest: string): string | undefined {
    const hop = this.lsdb.nextHop(dest);
    if (hop && this.links.get(hop)?.connected) return hop;
    // Cut off right now: wait on the link it was last reached by, if that link is down (its replay
    // delivers it when the link returns). Never send it over a live link, which could bounce it.
    const last = this.lastHop.get(dest);
    const link = last ? this.links.get(last) : undefined;
    if (link && !link.connected && link.downSince !== undefined) return last;
    return undefined;
  }

  private deliver(msg: MeshMessage): void {
    const b = msg.body;
    this.host.stats.meshDelivered++;
    switch (b[0]) {
      case K.PUB:
        this.host.deliverLocal(
          b[1] as string,
          b[2] as string,
          msg.origin,
          msg.payload,
          typeof b[3] === 'string' ? b[3] : null,
          msg.pubSeq,
        );
        return;
      case K.CALL: {
        const [, callId, procedure, timeoutMs, caller] = b as [number, number, string, number, string];
        this.host.rpc.invokeLocal(
          procedure,
          msg.payload,
          caller,
          (err, result) => this.sendResult(msg.origin, callId, err, result),
          timeoutMs,
        );
        return;
      }
      case K.RESULT: {
        const [, callId, code, message] = b as [number, number, string | null, string | null];
        this.calls.settle(callId, code, message, msg.payload);
        return;
      }
    }
  }

  private sendResult(
    dest: string,
    callId: number,
    err: { code: string; message: string } | undefined,
    result?: Buffer,
  ): void {
    const body = [K.RESULT, callId, err?.code ?? null, err?.message ?? null];
    this.originateData([dest], body, result ?? EMPTY, false);
  }

  /**
   * Send a new message from this gateway (it gets the next message id). An `ordered` one (a
   * publication) also gets, per destination, the next number of this gateway's sequence toward it,
   * by which the destination keeps publish order whatever path each message took (negative when
   * this gateway gave up an earlier one toward it, so it does not wait for that); calls and
   * results need no order and carry 0. `pubSeq`: a tracked publication's number (docs/protocol.md
   * §2), 0 for anything else.
   */
  private originateData(
    dests: string[],
    body: unknown[],
    payload: Buffer,
    ordered: boolean,
    pubSeq = 0,
  ): void {
    const destSeqs = new Array<number>(dests.length);
    for (let i = 0; i < dests.length; i++) {
      if (!ordered) destSeqs[i] = 0;
      else {
        const seq = (this.seqTo.get(dests[i]) ?? 0) + 1;
        this.seqTo.set(dests[i], seq);
        destSeqs[i] = this.gaveUpToward.size > 0 && this.gaveUpToward.delete(dests[i]) ? -seq : seq;
      }
    }
    this.forward({
      origin: this.host.gatewayId,
      originEpoch: this.host.epoch,
      msgId: ++this.msgCounter,
      hops: 0,
      pubSeq,
      dests,
      destSeqs,
      body,
      payload,
    });
  }

  // --- RemoteRouter ---------------------------------------------------------------------------

  hasRemote(procedure: string): boolean {
    return this.lsdb.nearestServing(procedure) !== undefined;
  }

  callRemote(procedure: string, args: Buffer, timeoutMs: number, caller: string, reply: Reply): boolean {
    const dest = this.lsdb.nearestServing(procedure);
    if (!dest) return false;
    const callId = this.calls.start(dest, procedure, timeoutMs, reply);
    this.originateData([dest], [K.CALL, callId, procedure, timeoutMs, caller], args, false);
    return true;
  }

  /** A control frame on a link, counted by kind. */
  private write(conn: Connection, frame: Buffer): void {
    this.host.stats.countOut(frame);
    conn.write(frame);
  }

  // --- housekeeping ---------------------------------------------------------------------------

  private maintain(): void {
    const now = Date.now();
    // This timer running late means our own event loop was held up: what peers sent meanwhile is
    // still unread, so their silence proves nothing this round.
    const stalled = now - this.lastMaintain > 2 * PING_EVERY_MS;
    this.lastMaintain = now;
    if (this.startup && !this.startup.done) this.startupOver();
    this.inOrder.releaseOverdue(now);
    for (const link of this.links.values()) {
      link.trim();
      const overdue = link.releaseOverdue(now, ACK_WAIT_MS);
      if (overdue > 0) {
        this.host.stats.pubAckWaitsExpired += overdue;
        this.host.log.warn(
          { peer: link.peerId, batches: overdue, waitedMs: ACK_WAIT_MS },
          "mesh link did not acknowledge in time: publications acknowledged to their clients from this gateway's memory",
        );
      }
      if (link.conn) {
        if (!stalled && now - link.lastHeard > DEAD_AFTER_MS) {
          this.host.log.warn({ peer: link.peerId }, 'mesh link silent; dropping it');
          const conn = link.conn;
          conn.destroy(new Error('peer silent'));
          // Down now, whether or not the transport reports the close it was asked for.
          if (link.conn === conn) this.linkDown(link);
          continue;
        }
        this.write(link.conn, encodeFrame([M.LINK_PING, now]));
      } else if (link.downSince !== undefined && now - link.downSince > this.host.config.meshReplayMs) {
        link.downSince = undefined;
        for (const run of link.expire()) {
          this.host.stats.meshReplayDropped += run.count;
          for (const dest of run.dests)
            this.losses.lost(dest, 'replay_expired', run.first, run.last, run.count);
        }
      }
    }
    const patterns = new Map<string, string[]>();
    for (const [id, lsa] of this.lsdb.entries) if (!this.lsdb.reachable(id)) patterns.set(id, lsa.patterns);
    const gone = this.lsdb.expire(this.host.config.meshReplayMs, now);
    for (const id of gone) this.giveUpHeld(id, patterns.get(id) ?? []);
    if (gone.length > 0) this.topologyChanged();
  }

  /** `dest` stayed unreachable past the window: what was held for it is lost, in one range. */
  private giveUpHeld(dest: string, patterns: string[]): void {
    this.forgotten.add(dest, patterns);
    // Whatever of ours was still on its way to it has been given up by now, here or on a link.
    this.gaveUpToward.add(dest);
    const msgs = this.held.take(dest);
    if (msgs.length === 0) return;
    const id = (m: MeshMessage): string => `${m.origin}#${m.msgId}`;
    this.losses.lost(dest, 'held_expired', id(msgs[0]), id(msgs[msgs.length - 1]), msgs.length);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const link of this.links.values()) {
      link.dispose();
      link.conn?.close();
    }
    this.calls.stop();
    this.losses.stop();
  }
}
