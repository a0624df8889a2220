/**
 * One connected client (docs/protocol.md §2): the handshake, then one handler per message type.
 * A malformed frame or a protocol violation closes this connection only (§4).
 */
import type { Logger } from 'pino';
import { GatewayError, isErrorCode, type ErrorCode } from '../protocol/errors';
import { encodeFrame, type Frame } from '../protocol/frames';
import type { FrameStream } from '../protocol/frame-stream';
import { M, P } from '../protocol/messages';
import { isRealmWide, patternProblem, topicProblem } from '../protocol/topics';
import type { Connection } from '../transport/transport';
import type { GatewayConfig } from './config';
import { Outbound } from './outbound';
import { PublicationAcks, type AckedLink } from './publication-acks';
import { sameSecret } from './secret-compare';
import type { Rpc } from './rpc';
import { HeldBySession } from './held';
import type { GatewayStats } from './stats';
import { DurableSubscription, LiveSubscription, type Subscriber } from './subscribers';

export interface SessionHost {
  readonly gatewayId: string;
  readonly config: GatewayConfig;
  readonly rpc: Rpc;
  readonly log: Logger;
  readonly stats: GatewayStats;
  addSubscriber(sub: Subscriber): void;
  removeSubscriber(sub: Subscriber): void;
  /** Find or create the durable subscription `name` for `pattern`, for this session's client. */
  durable(name: string, pattern: string, sessionId: string, clientId: string): DurableSubscription;
  dropDurable(name: string): void;
  /** Registrations changed: advertise them to the mesh. */
  proceduresChanged(): void;
  publish(
    topic: string,
    publisher: string,
    payload: Buffer,
    excludeSession: string | undefined,
    stream: string | null,
    pubSeq: number,
    /** For a tracked publication: told each mesh link it went out on (publication-acks.ts). */
    written?: (link: AckedLink, seq: number) => void,
  ): void;
  sessionClosed(session: ClientSession): void;
  /**
   * Session `asker` was refused what another session of this gateway holds (`holderSessionId`):
   * when both are the same client id, check whether the holder is still there (probeHolder).
   */
  heldByOwnSession(asker: ClientSession, holderSessionId: string): void;
}

/**
 * How long a holder probed by a newer session of its own client id may stay silent before its
 * session is closed. A live client answers the PING within a round trip; a crashed one's
 * connection would otherwise hold its durable names and procedures until the transport's idle
 * timeout (10 s or more), and a restarted app would wait that long (docs/protocol.md §5).
 */
export const HOLDER_PROBE_MS = 1500;

type Handler = (s: ClientSession, h: unknown[], payload: Buffer) => void;

export class ClientSession {
  readonly out: Outbound;
  readonly subscriptions = new Map<number, Subscriber>();
  readonly procedures = new Map<number, string>();
  clientId = '';
  /** Presented MACULA_MONITOR_TOKEN: may subscribe to realm-wide patterns. */
  private monitor = false;
  private nextSubId = 1;
  private nextRegId = 1;
  private closed = false;
  /** Numbering and PUBACKs of tracked publications, when the client announced a pubStream. */
  private pubAcks: PublicationAcks | undefined;
  /** When the client last sent anything (liveness: see checkLiveness). */
  lastHeard = Date.now();
  /** Set while a newer session of this client id waits to learn whether this one is alive. */
  private probeTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly conn: Connection,
    readonly sessionId: string,
    private readonly host: SessionHost,
  ) {
    this.out = new Outbound(
      conn,
      host.config.clientMaxQueueBytes,
      (counts) => {
        for (const [subId, count] of counts) this.out.control(encodeFrame([M.DROPPED, subId, count]));
        host.log.warn(
          { session: sessionId, client: this.clientId, dropped: Object.fromEntries(counts) },
          'slow consumer: events dropped',
        );
      },
      (count) => (host.stats.slowConsumerDrops += count),
      () => this.overflowed(),
      host.stats,
    );
  }

  /** Run the handshake on the first frame (already decoded by the connection dispatcher). */
  start(hello: Frame, stream: FrameStream): void {
    const [, realm, token, clientId, pubStream, nextPubSeq] = hello.header;
    this.clientId = typeof clientId === 'string' ? clientId.slice(0, 128) : '';
    const { config } = this.host;
    if (realm !== config.realm)
      return this.abort(
        'no_such_realm',
        `realm '${String(realm)}' is not served here (this gateway serves '${config.realm}')`,
      );
    this.monitor = config.monitorToken !== undefined && sameSecret(token, config.monitorToken);
    if (config.token !== undefined && !this.monitor && !sameSecret(token, config.token))
      return this.abort('unauthorized', 'missing or wrong realm token');
    // A client that numbers its publications gets them acknowledged (docs/protocol.md §2, PUBACK);
    // one that does not (an older library) sees the WELCOME it knows, its extra field ignored.
    if (
      typeof pubStream === 'string' &&
      pubStream.length > 0 &&
      pubStream.length <= 64 &&
      Number.isSafeInteger(nextPubSeq) &&
      (nextPubSeq as number) >= 1
    )
      this.pubAcks = new PublicationAcks(pubStream, nextPubSeq as number, (f) => this.out.control(f));
    this.send([M.WELCOME, this.sessionId, this.host.gatewayId, this.pubAcks !== undefined]);
    stream.onBadFrame((e) => {
      this.host.stats.malformedFrames++;
      this.host.log.warn({ session: this.sessionId, err: e.message }, 'closing client after bad frame');
      this.abort(e.code, e.message);
    });
    stream.setHandler((frame) => {
      if (this.closed) return;
      try {
        this.handle(frame);
      } catch (err) {
        const e =
          err instanceof GatewayError ? err : new GatewayError('protocol_error', (err as Error).message);
        this.host.stats.malformedFrames++;
        this.host.log.warn({ session: this.sessionId, err: e.message }, 'closing client after bad message');
        this.abort(e.code, e.message);
      }
    });
  }

  private handle(frame: Frame): void {
    this.lastHeard = Date.now();
    const type = frame.header[0] as number;
    this.host.stats.countIn(type, frame.bytes ?? 0);
    const handler = HANDLERS[type];
    if (!handler) throw new GatewayError('protocol_error', `unexpected message type ${type}`);
    handler(this, frame.header, frame.payload);
  }

  send(header: unknown[], payload?: Uint8Array): void {
    this.out.control(encodeFrame(header, payload));
  }

  error(reqId: unknown, code: ErrorCode, message: string): void {
    this.send([M.ERROR, reqId, code, message]);
  }

  abort(code: ErrorCode, message: string): void {
    if (this.closed) return;
    this.send([M.ABORT, code, message]);
    this.host.stats.refusedSessions++;
    this.conn.close();
    this.cleanup();
  }

  /** The gateway took registration `regId` away (another gateway holds it): tell the client. */
  revoked(regId: number, message: string): void {
    if (!this.procedures.delete(regId)) return;
    this.send([M.UNREGISTERED, 0, regId, 'already_exists', message]);
  }

  /**
   * The client does not read and what waits for it is replies and control frames only, which must
   * not be dropped: the bound (docs/protocol.md §4) leaves no choice but to close it.
   */
  private overflowed(): void {
    if (this.closed) return;
    this.host.stats.refusedSessions++;
    this.host.log.warn(
      { session: this.sessionId, client: this.clientId, limit: this.host.config.clientMaxQueueBytes },
      'client closed: it stopped reading and its queue of replies passed CLIENT_MAX_QUEUE_BYTES',
    );
    this.conn.destroy(
      new GatewayError('limit_exceeded', 'outbound queue bound exceeded by undroppable frames'),
    );
    this.cleanup();
  }

  /**
   * A client silent for `pingAfterMs` is pinged; one silent for `closeAfterMs` is gone (a half-open
   * TCP connection after a network cut never reports itself) and its session, subscriptions and
   * registrations are released, so a reconnecting client can take them back.
   */
  checkLiveness(now: number, pingAfterMs: number, closeAfterMs: number): void {
    if (this.closed) return;
    this.out.trim();
    const silent = now - this.lastHeard;
    if (silent > closeAfterMs) {
      this.host.log.warn(
        { session: this.sessionId, client: this.clientId, silentMs: silent },
        'client silent; closing its session',
      );
      this.conn.destroy(new GatewayError('timeout', `no traffic for ${silent} ms`));
      this.cleanup();
    } else if (silent > pingAfterMs) this.send([M.PING, now]);
  }

  /**
   * A newer session of this client id asks for something this one holds: ping, and close this
   * session unless it is heard from within HOLDER_PROBE_MS. One probe at a time.
   */
  probeHolder(): void {
    if (this.closed || this.probeTimer) return;
    const sentAt = Date.now();
    this.send([M.PING, sentAt]);
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      if (this.closed || this.lastHeard >= sentAt) return;
      this.host.log.warn(
        { session: this.sessionId, client: this.clientId, probeMs: HOLDER_PROBE_MS },
        'client silent after a newer session of the same client id asked for what it holds; closing its session',
      );
      this.conn.destroy(new GatewayError('timeout', `replaced: silent ${HOLDER_PROBE_MS} ms after a probe`));
      this.cleanup();
    }, HOLDER_PROBE_MS);
    this.probeTimer.unref?.();
  }

  /** Connection ended (either side). */
  cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.pubAcks?.stop();
    for (const sub of this.subscriptions.values()) {
      if (sub instanceof DurableSubscription) sub.detach(this.sessionId);
      else this.host.removeSubscriber(sub);
    }
    this.subscriptions.clear();
    this.host.sessionClosed(this);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // --- handlers (docs/protocol.md §2), one per message type -------------------------------------------

  static subscribe(s: ClientSession, h: unknown[]): void {
    const [, reqId, pattern, durable] = h;
    const problem = patternProblem(pattern);
    if (problem) return s.error(reqId, 'invalid_argument', `bad pattern '${String(pattern)}': ${problem}`);
    if (!s.monitor && !s.host.config.wideSubscribe && isRealmWide(pattern as string)) {
      return s.error(
        reqId,
        'unauthorized',
        `pattern '${String(pattern)}' matches every topic of the realm: only a client with MACULA_MONITOR_TOKEN may subscribe to it (MACULA_WIDE_SUBSCRIBE=1 allows anyone)`,
      );
    }
    if (s.subscriptions.size >= s.host.config.clientMaxSubscriptions) {
      return s.error(
        reqId,
        'limit_exceeded',
        `at most ${s.host.config.clientMaxSubscriptions} subscriptions per client`,
      );
    }
    const subId = s.nextSubId++;
    if (durable !== null && durable !== undefined) {
      if (typeof durable !== 'string' || durable.length === 0 || durable.length > 128) {
        return s.error(reqId, 'invalid_argument', 'durable name must be a string of 1 to 128 characters');
      }
      let sub: DurableSubscription;
      try {
        sub = s.host.durable(durable, pattern as string, s.sessionId, s.clientId);
      } catch (err) {
        const e = err as GatewayError;
        if (e instanceof HeldBySession) s.host.heldByOwnSession(s, e.holderSessionId);
        return s.error(reqId, e.code ?? 'internal', e.message);
      }
      s.subscriptions.set(subId, sub);
      // Epoch and acknowledged position: the client drops what it had handled of another epoch's
      // numbering, and skips what it handled of this one (docs/protocol.md §2, "epoch").
      s.send([M.SUBSCRIBED, reqId, subId, sub.overflow, sub.epoch, sub.floor]);
      // Sending may have closed the session (a client that stopped reading): then the durable
      // subscription stays without a client, its overflow kept for the next resume.
      if (!s.isClosed) sub.attach(s.sessionId, subId, s.out);
      return;
    }
    const sub = new LiveSubscription(pattern as string, subId, s.sessionId, s.out);
    s.subscriptions.set(subId, sub);
    s.host.addSubscriber(sub);
    s.send([M.SUBSCRIBED, reqId, subId, 0]);
  }

  static unsubscribe(s: ClientSession, h: unknown[]): void {
    const [, reqId, subId] = h;
    const sub = s.subscriptions.get(subId as number);
    if (!sub) return s.error(reqId, 'not_found', `no subscription ${String(subId)}`);
    s.subscriptions.delete(subId as number);
    if (sub instanceof DurableSubscription) s.host.dropDurable(sub.name);
    else s.host.removeSubscriber(sub);
    s.send([M.UNSUBSCRIBED, reqId]);
  }

  static publish(s: ClientSession, h: unknown[], payload: Buffer): void {
    const [, topic, ackIdOrMode, excludeMe] = h;
    const acks = s.pubAcks;
    if (acks && ackIdOrMode !== P.UNTRACKED) return s.publishTracked(acks, h, payload);
    const ackId = acks ? 0 : ackIdOrMode;
    const problem = topicProblem(topic);
    if (problem) {
      if (ackId) s.error(ackId, 'invalid_argument', `bad topic '${String(topic)}': ${problem}`);
      else s.send([M.ERROR, 0, 'invalid_argument', `bad topic '${String(topic)}': ${problem}`]);
      return;
    }
    s.host.publish(topic as string, s.sessionId, payload, excludeMe ? s.sessionId : undefined, null, 0);
    if (ackId) s.send([M.PUBLISHED, ackId]);
  }

  /**
   * A numbered publication: it takes its number even when refused (a bad topic), so the client's
   * count and this one stay equal; the refusal is an unasked ERROR (request id 0).
   */
  private publishTracked(acks: PublicationAcks, h: unknown[], payload: Buffer): void {
    const [, topic, mode, excludeMe] = h;
    const pubSeq = acks.take();
    const problem = topicProblem(topic);
    if (problem) this.send([M.ERROR, 0, 'invalid_argument', `bad topic '${String(topic)}': ${problem}`]);
    else
      this.host.publish(
        topic as string,
        this.sessionId,
        payload,
        excludeMe ? this.sessionId : undefined,
        acks.stream,
        pubSeq,
        acks.written,
      );
    acks.handled(mode === P.ACK_NOW);
  }

  static ack(s: ClientSession, h: unknown[]): void {
    const [, subId, seq] = h;
    const sub = s.subscriptions.get(subId as number);
    if (sub instanceof DurableSubscription && typeof seq === 'number') sub.ack(seq);
  }

  static register(s: ClientSession, h: unknown[]): void {
    const [, reqId, procedure] = h;
    const problem = topicProblem(procedure);
    if (problem)
      return s.error(reqId, 'invalid_argument', `bad procedure name '${String(procedure)}': ${problem}`);
    if (s.procedures.size >= s.host.config.clientMaxRegistrations) {
      return s.error(
        reqId,
        'limit_exceeded',
        `at most ${s.host.config.clientMaxRegistrations} registrations per client`,
      );
    }
    const regId = s.nextRegId++;
    try {
      s.host.rpc.register(procedure as string, {
        sessionId: s.sessionId,
        regId,
        invoke: (invId, proc, caller, args) => s.send([M.INVOCATION, invId, regId, proc, caller], args),
      });
    } catch (err) {
      const e = err as GatewayError;
      if (e instanceof HeldBySession) s.host.heldByOwnSession(s, e.holderSessionId);
      return s.error(reqId, e.code, e.message);
    }
    s.procedures.set(regId, procedure as string);
    s.host.proceduresChanged();
    s.send([M.REGISTERED, reqId, regId]);
  }

  static unregister(s: ClientSession, h: unknown[]): void {
    const [, reqId, regId] = h;
    const procedure = s.procedures.get(regId as number);
    if (!procedure) return s.error(reqId, 'not_found', `no registration ${String(regId)}`);
    s.procedures.delete(regId as number);
    s.host.rpc.unregister(procedure, s.sessionId);
    s.host.proceduresChanged();
    s.send([M.UNREGISTERED, reqId]);
  }

  static call(s: ClientSession, h: unknown[], payload: Buffer): void {
    const [, reqId, procedure, timeoutMs] = h;
    const problem = topicProblem(procedure);
    if (problem)
      return s.error(reqId, 'invalid_argument', `bad procedure name '${String(procedure)}': ${problem}`);
    const timeout = typeof timeoutMs === 'number' && timeoutMs > 0 ? Math.min(timeoutMs, 300_000) : 10_000;
    s.host.rpc.call(procedure as string, Buffer.from(payload), timeout, s.sessionId, (err, result) => {
      if (s.closed) return;
      if (err) s.error(reqId, err.code, err.message);
      else s.send([M.RESULT, reqId], result);
    });
  }

  static yieldResult(s: ClientSession, h: unknown[], payload: Buffer): void {
    s.host.rpc.answer(s.sessionId, h[1] as number, undefined, payload);
  }

  static invocationError(s: ClientSession, h: unknown[]): void {
    const [, invId, code, message] = h;
    s.host.rpc.answer(s.sessionId, invId as number, {
      code: isErrorCode(code) ? code : 'internal',
      message: String(message ?? ''),
    });
  }

  static ping(s: ClientSession, h: unknown[]): void {
    s.send([M.PONG, h[1]]);
  }

  static goodbye(s: ClientSession): void {
    s.conn.close();
    s.cleanup();
  }
}

const HANDLERS: Record<number, Handler> = {
  [M.SUBSCRIBE]: ClientSession.subscribe,
  [M.UNSUBSCRIBE]: ClientSession.unsubscribe,
  [M.PUBLISH]: ClientSession.publish,
  [M.ACK]: ClientSession.ack,
  [M.REGISTER]: ClientSession.register,
  [M.UNREGISTER]: ClientSession.unregister,
  [M.CALL]: ClientSession.call,
  [M.YIELD]: ClientSession.yieldResult,
  [M.INVOCATION_ERROR]: ClientSession.invocationError,
  [M.PING]: ClientSession.ping,
  [M.PONG]: () => undefined,
  [M.GOODBYE]: ClientSession.goodbye,
};
