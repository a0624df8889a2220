/**
 * The typed gateway client every app uses (docs/protocol.md §7). It survives lost connections: it redials
 * with backoff, restores subscriptions (durable ones resume where they were acknowledged) and
 * registrations, and sends again, in order, every publication its gateway had not acknowledged.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { GatewayError, isErrorCode } from '../protocol/errors';
import { decodePayload, encodePayload, type Frame } from '../protocol/frames';
import { M, P } from '../protocol/messages';
import { encodeHeaderInto } from '../protocol/header-codec';
import { RecentIds } from '../protocol/recent-ids';
import { patternProblem, topicProblem } from '../protocol/topics';
import { withTimeout } from '../transport/with-timeout';
import { DurableCursor } from './durable-cursor';
import { ClientConnection } from './session';
import { Fifo } from './fifo';
import { GatewayLiveness } from './liveness';
import { UnackedPublications, type KeptPublication } from './unacked';
import type {
  CallOptions,
  ClientEvent,
  ConnectOptions,
  EventHandler,
  EventMeta,
  GatewayClient,
  PublishOptions,
  Registration,
  RpcHandler,
  SubscribeOptions,
  Subscription,
} from './types';

const RESOLVED = Promise.resolve();
/** The "handler" of a republished copy: nothing to do, acknowledged in its turn. */
const NOTHING = (): void => undefined;

// Encoded PUBLISH headers per (mode, excludeMe) and topic: apps publish to a handful of topics
// over and over. `mode` is a P.* value, or 0 (no ack request) for a gateway without PUBACK.
const publishHeads: Array<Map<string, Buffer>> = [];
function publishHead(topic: string, mode: number, exclude: boolean): Buffer {
  const slot = mode * 2 + (exclude ? 1 : 0);
  let heads = publishHeads[slot];
  if (!heads || heads.size > 5000) heads = publishHeads[slot] = new Map();
  let head = heads.get(topic);
  if (!head) {
    head = Buffer.from(encodeHeaderInto([M.PUBLISH, topic, mode, exclude]));
    heads.set(topic, head);
  }
  return head;
}
/**
 * What the client keeps until its gateway acknowledges it (unacked.ts). Below the high-water mark
 * `publish()` resolves at once, so paced publishers pay nothing; above it, once acknowledgements
 * bring it back under, so an awaited loop is paced by its gateway (and, while the gateway is down,
 * waits). 512 KiB is about four times what NATS's flush() every 1,000 messages of 200 bytes has in
 * flight: enough that a loop awaiting every publish keeps the gateway busy while PUBACKs travel
 * (at 128 KiB it waited about half the time, 0.5× NATS). The mark was 128 KiB while the QUIC stack
 * used CUBIC, whose window cap let such a loop run ahead of a subscriber in the same process until
 * that subscriber's gateway queue overflowed; with BBRv2 it does not (docs/protocol.md §7,
 * "pacing"). The hard bound stays under the 2^17 publications the gateways' duplicate filter
 * spans (router.ts), so a republished copy is always recognised.
 */
const UNACKED_LIMITS = {
  highWaterBytes: 512 * 1024,
  highWaterCount: 16_384,
  maxBytes: 64 * 1024 * 1024,
  maxCount: 100_000,
};
/**
 * Unreliable publications, and every publication to a gateway without PUBACK, are paced by the
 * transport instead: past this many bytes not yet handed to it, publish resolves once they went out.
 */
const PUBLISH_HIGH_WATER_BYTES = 512 * 1024;
const REQUEST_TIMEOUT_MS = 10_000;
/**
 * What a subscription remembers of the tracked publications it received, per publisher stream
 * (docs/protocol.md §2, republish): a republished copy is at most the copies its publisher had not
 * had acknowledged, and those arrive in order, so a copy is at or below the highest number seen.
 * The window behind it (2^12 numbers, 512 bytes a stream) only lets an out-of-order arrival through;
 * the 1,024 most recent streams are kept (512 KiB at most per subscription).
 */
const SEEN_WINDOW_BITS = 12;
const SEEN_STREAMS = 1024;

interface SubState {
  pattern: string;
  handler: EventHandler<unknown>;
  durable: string | undefined;
  serverId: number;
  dropped: number;
  /** Republished copies dropped (republishedCopy); `seen` made at the first tracked event. */
  duplicates: number;
  seen: RecentIds | undefined;
  active: boolean;
  /** Durable: events are handled one after another so acknowledgements stay cumulative. */
  chain: Promise<void>;
  /** Durable: what is handled and taken in, in the numbering of the subscription's epoch. */
  cursor: DurableCursor;
  ackScheduled: boolean;
  /** Durable with maxInFlight > 1: handlers started, oldest first, and events waiting to start. */
  maxInFlight: number;
  running: Fifo<WindowEntry>;
  /** The promise the last windowed handler returned, and its group (runWindowed). */
  lastResult?: Promise<void>;
  lastGroup?: WindowGroup;
  waiting: Fifo<() => void>;
}

/** Windowed events whose handlers returned the same promise; done once it settled. */
interface WindowGroup {
  done: boolean;
}
const SETTLED: WindowGroup = { done: true };

/** A windowed event arriving now starts at once (nothing waits before it). */
const windowHasRoom = (state: SubState): boolean =>
  state.running.length < state.maxInFlight && state.waiting.length === 0;

/** A windowed durable event whose handler started: acknowledged once it and all before it are done. */
interface WindowEntry {
  seq: number;
  generation: number;
  /** Undefined until its handler has run. */
  group: WindowGroup | undefined;
}

interface RegState {
  procedure: string;
  handler: RpcHandler<unknown, unknown>;
  serverId: number;
  active: boolean;
}

export class Client implements GatewayClient {
  private conn!: ClientConnection;
  private readonly subs = new Set<SubState>();
  private readonly subsByServerId = new Map<number, SubState>();
  private readonly regs = new Map<string, RegState>();
  private readonly regsByServerId = new Map<number, RegState>();
  private readonly events = new EventEmitter();
  /**
   * Names this client's tracked publications across reconnects (docs/protocol.md §2, republish):
   * random per client object, so two processes, or one restarted, never share one.
   */
  private readonly pubStream = randomBytes(9).toString('base64url');
  private readonly unacked = new UnackedPublications(UNACKED_LIMITS);
  private liveness: GatewayLiveness | undefined;
  private userClosed = false;
  private restoring = false;
  private reconnecting: Promise<void> | undefined;
  /** Resolved when the connection's pending bytes next reach zero, or the connection ends. */
  private drainWaiters: Array<() => void> = [];

  private constructor(private readonly opts: ConnectOptions) {
    this.events.on('error', () => undefined);
  }

  static async connect(opts: ConnectOptions): Promise<Client> {
    const client = new Client(opts);
    client.conn = await client.open();
    return client;
  }

  get sessionId(): string {
    return this.conn.sessionId;
  }

  get gatewayId(): string {
    return this.conn.gatewayId;
  }

  private async open(): Promise<ClientConnection> {
    const conn = await ClientConnection.open(
      this.opts,
      (f) => this.onFrame(f),
      () => {
        // The liveness check of this connection stops by itself once it sees it closed.
        this.drained();
        this.onLost();
      },
      { stream: this.pubStream, nextSeq: this.unacked.firstUnacked },
    );
    conn.conn.onDrain(() => this.drained());
    // A subscriber waits for its gateway too: over QUIC a killed gateway would otherwise keep it
    // on a dead connection until the idle timeout, missing what is published meanwhile.
    this.liveness = new GatewayLiveness(
      conn,
      () => this.unacked.count > 0 || conn.awaitingReplies || this.subs.size > 0,
    );
    return conn;
  }

  private drained(): void {
    const waiters = this.drainWaiters;
    if (waiters.length === 0) return;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves once everything handed to the connection so far has gone to the transport. */
  private whenDrained(): Promise<void> {
    if (this.conn.closed || this.conn.conn.pendingBytes === 0) return RESOLVED;
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  on(event: ClientEvent, listener: (detail?: unknown) => void): void {
    this.events.on(event, listener);
  }

  // --- pub/sub --------------------------------------------------------------------------------

  async subscribe<T = unknown>(
    pattern: string,
    handler: EventHandler<T>,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    const problem = patternProblem(pattern);
    if (problem) throw new GatewayError('invalid_argument', `bad pattern '${pattern}': ${problem}`);
    const state: SubState = {
      pattern,
      handler: handler as EventHandler<unknown>,
      durable: options.durable,
      serverId: 0,
      dropped: 0,
      duplicates: 0,
      seen: undefined,
      active: true,
      chain: RESOLVED,
      cursor: new DurableCursor(),
      ackScheduled: false,
      maxInFlight: options.durable ? Math.max(1, Math.floor(options.maxInFlight ?? 1)) : 1,
      running: new Fifo(),
      waiting: new Fifo(),
    };
    await this.sendSubscribe(state);
    this.subs.add(state);
    return {
      pattern,
      get dropped() {
        return state.dropped;
      },
      get duplicates() {
        return state.duplicates;
      },
      unsubscribe: async () => {
        if (!state.active) return;
        state.active = false;
        this.subs.delete(state);
        this.subsByServerId.delete(state.serverId);
        if (!this.conn.closed)
          await this.conn.request((id) => [M.UNSUBSCRIBE, id, state.serverId], undefined, REQUEST_TIMEOUT_MS);
      },
    };
  }

  private async sendSubscribe(state: SubState): Promise<void> {
    const reply = await this.conn.request(
      (id) => [M.SUBSCRIBE, id, state.pattern, state.durable ?? null],
      undefined,
      REQUEST_TIMEOUT_MS,
      (f) => {
        state.serverId = f.header[2] as number;
        // Before the replay that follows it is read (docs/protocol.md §2, "epoch").
        if (state.durable !== undefined) state.cursor.subscribed(f.header[4], f.header[5]);
        this.subsByServerId.set(state.serverId, state);
      },
    );
    const overflow = reply.header[3] as number;
    if (overflow > 0) {
      state.dropped += overflow;
      this.events.emit('dropped', { pattern: state.pattern, durable: state.durable, count: overflow });
    }
  }

  publish(topic: string, payload: unknown, options: PublishOptions = {}): Promise<void> {
    const problem = topicProblem(topic);
    if (problem)
      return Promise.reject(new GatewayError('invalid_argument', `bad topic '${topic}': ${problem}`));
    if (options.ack && options.unreliable)
      return Promise.reject(
        new GatewayError('invalid_argument', '`ack` and `unreliable` exclude each other'),
      );
    if (this.userClosed) return Promise.reject(new GatewayError('closed', 'client is closed'));
    if (this.conn.closed && !this.reconnecting)
      return Promise.reject(new GatewayError('unavailable', 'not connected to the gateway'));
    const body = encodePayload(payload);
    const exclude = options.excludeMe === true;
    if (options.unreliable) return this.publishUnreliable(topic, body, exclude);
    if (options.ack && !this.conn.pubAcks) return this.publishWithRequest(topic, body, exclude);
    const refused = this.unacked.refusal(body.length);
    if (refused) return Promise.reject(refused);
    const kept = this.unacked.add(topic, options.ack ? P.ACK_NOW : P.TRACKED, exclude, body);
    // While reconnecting it waits with the others; the reconnect sends them all, in order.
    if (!this.conn.closed && !this.restoring) this.sendKept(kept);
    if (options.ack) return this.unacked.whenAcked(kept.seq);
    if (this.unacked.overHighWater) return this.unacked.whenRoom();
    return this.conn.conn.pendingBytes > PUBLISH_HIGH_WATER_BYTES ? this.whenDrained() : RESOLVED;
  }

  private sendKept(p: KeptPublication): void {
    if (this.conn.pubAcks) return this.conn.sendHead(publishHead(p.topic, p.mode, p.exclude), p.payload);
    // A gateway without PUBACK: written is as far as it goes.
    this.conn.sendHead(publishHead(p.topic, 0, p.exclude), p.payload);
    this.unacked.ack(p.seq);
  }

  /** Fire and forget: written if connected, never kept, never sent again; dropped while away. */
  private publishUnreliable(topic: string, body: Buffer, exclude: boolean): Promise<void> {
    if (this.conn.closed || this.restoring) return RESOLVED;
    this.conn.sendHead(publishHead(topic, this.conn.pubAcks ? P.UNTRACKED : 0, exclude), body);
    return this.conn.conn.pendingBytes > PUBLISH_HIGH_WATER_BYTES ? this.whenDrained() : RESOLVED;
  }

  /** `ack` to a gateway without PUBACK: a request answered with PUBLISHED. */
  private publishWithRequest(topic: string, body: Buffer, exclude: boolean): Promise<void> {
    const send = (): Promise<void> =>
      this.conn
        .request((id) => [M.PUBLISH, topic, id, exclude], body, REQUEST_TIMEOUT_MS)
        .then(() => undefined);
    // After what waits to be sent again, never before it.
    return this.restoring && this.reconnecting ? this.reconnecting.then(send) : send();
  }

  /** Resolves once every publication so far is acknowledged and everything else written out. */
  flush(): Promise<void> {
    const acked = this.unacked.whenAcked(this.unacked.lastSeq);
    return Promise.all([acked, this.whenDrained()]).then(() => undefined);
  }

  private onEvent(frame: Frame): void {
    const [, subId, topic, publisher, gatewayId, seq] = frame.header as [
      number,
      number,
      string,
      string,
      string,
      number,
    ];
    const state = this.subsByServerId.get(subId);
    if (!state || !state.active) return;
    // Live: a copy is dropped at once. Durable: only once the cursor admitted it (a replay of its
    // own number is the cursor's to handle), and then acknowledged like a handled one.
    if (!seq && this.republishedCopy(state, frame.header)) return;
    const meta = { topic, publisher, gatewayId };
    if (seq && state.maxInFlight > 1 && !windowHasRoom(state))
      return this.deferWindowed(state, seq, Buffer.from(frame.payload), meta, frame.header);
    let payload: unknown;
    try {
      payload = decodePayload(frame.payload);
    } catch (err) {
      this.events.emit('error', err);
      return;
    }
    if (!seq) {
      try {
        const r = state.handler(payload, meta);
        if (r && typeof (r as Promise<void>).catch === 'function')
          (r as Promise<void>).catch((e) => this.events.emit('error', e));
      } catch (err) {
        this.events.emit('error', err);
      }
      return;
    }
    const admission = state.cursor.admit(seq);
    if (admission === 'acknowledge') return this.scheduleAck(state);
    if (admission === 'skip') return;
    const generation = state.cursor.generation;
    const handle = this.republishedCopy(state, frame.header) ? NOTHING : () => state.handler(payload, meta);
    if (state.maxInFlight > 1) return this.startWindowed(state, seq, generation, handle);
    // Durable: handle in order, acknowledge after the handler finished (docs/protocol.md §2).
    const finished = (): void => {
      if (state.cursor.handled(seq, generation)) this.scheduleAck(state);
    };
    state.chain = state.chain.then(handle).then(finished, (err) => {
      this.events.emit('error', err);
      finished();
    });
  }

  /**
   * A windowed event that arrives while the window is full waits as a copy of its bytes and is
   * decoded when it starts: a consumer that falls behind holds its backlog (all the gateway sends
   * it) as one buffer per event, not as decoded objects that every collection traces again. Should
   * its bytes not decode then, that is an `error` event and the event counts as handled.
   */
  private deferWindowed(
    state: SubState,
    seq: number,
    bytes: Buffer,
    meta: EventMeta,
    header: unknown[],
  ): void {
    const admission = state.cursor.admit(seq);
    if (admission === 'acknowledge') return this.scheduleAck(state);
    if (admission === 'skip') return;
    const handle = this.republishedCopy(state, header)
      ? NOTHING
      : () => state.handler(decodePayload(bytes), meta);
    this.startWindowed(state, seq, state.cursor.generation, handle);
  }

  /**
   * An event carrying a tracked publication's (pubStream, pubSeq) that this subscription already
   * received (docs/protocol.md §2, republish): a gateway that restarted, or another one, cannot
   * know what the gateway before it delivered here, so the subscriber's client tells.
   */
  private republishedCopy(state: SubState, header: unknown[]): boolean {
    const stream = header[6];
    const pubSeq = header[7];
    if (typeof stream !== 'string' || typeof pubSeq !== 'number') return false;
    state.seen ??= new RecentIds(SEEN_WINDOW_BITS, SEEN_STREAMS);
    if (state.seen.firstTime(stream, 0, pubSeq)) return false;
    state.duplicates++;
    return true;
  }

  /**
   * Durable with a window: start the handler now (or once the window has room), and acknowledge
   * the longest prefix of finished events, so nothing unfinished is ever acknowledged.
   */
  private startWindowed(
    state: SubState,
    seq: number,
    generation: number,
    handle: () => void | Promise<void>,
  ): void {
    const entry: WindowEntry = { seq, generation, group: undefined };
    const start = (): void => {
      state.running.push(entry);
      queueMicrotask(() => this.runWindowed(state, entry, handle));
    };
    if (windowHasRoom(state)) start();
    else state.waiting.push(start);
  }

  /**
   * Runs one windowed handler. Events whose handlers return the same promise (a batching
   * consumer's batch) share one group and one wait for it, so an event waiting for its batch costs
   * one small entry: a closure or promise per event would live as long as the batch (for the
   * projections, until its commit) and be promoted out of the young generation, and a closure made
   * next to `handle` would keep the decoded event itself alive that long.
   */
  private runWindowed(state: SubState, entry: WindowEntry, handle: () => void | Promise<void>): void {
    let result: void | Promise<void> = undefined;
    try {
      result = handle();
    } catch (err) {
      this.events.emit('error', err);
    }
    if (!result || typeof result.then !== 'function') {
      entry.group = SETTLED;
      return this.finishWindowed(state);
    }
    if (result === state.lastResult && state.lastGroup) {
      entry.group = state.lastGroup;
      if (entry.group.done) this.finishWindowed(state);
      return;
    }
    const group: WindowGroup = { done: false };
    state.lastResult = result;
    state.lastGroup = group;
    entry.group = group;
    const settle = (): void => {
      group.done = true;
      this.finishWindowed(state);
    };
    result.then(settle, (err: unknown) => {
      this.events.emit('error', err);
      settle();
    });
  }

  /** A group settled: acknowledge the finished prefix, start what waits for room. */
  private finishWindowed(state: SubState): void {
    let acked = false;
    while (state.running.peek()?.group?.done) {
      const e = state.running.shift()!;
      if (state.cursor.handled(e.seq, e.generation)) acked = true;
    }
    if (acked) this.scheduleAck(state);
    while (state.waiting.length > 0 && state.running.length < state.maxInFlight) state.waiting.shift()!();
  }

  /** Acknowledges, soon and once for many, everything the handler finished so far. */
  private scheduleAck(state: SubState): void {
    if (state.ackScheduled) return;
    state.ackScheduled = true;
    setImmediate(() => {
      state.ackScheduled = false;
      const seq = state.cursor.handledSeq;
      // Only once resubscribed on this connection: an old subscription id may name another one here.
      // What was finished meanwhile is acknowledged when the replay brings it again.
      if (state.active && seq > 0 && this.subsByServerId.get(state.serverId) === state)
        this.conn.send([M.ACK, state.serverId, seq]);
    });
  }

  // --- RPC ------------------------------------------------------------------------------------

  async register<A = unknown, R = unknown>(
    procedure: string,
    handler: RpcHandler<A, R>,
  ): Promise<Registration> {
    const problem = topicProblem(procedure);
    if (problem) throw new GatewayError('invalid_argument', `bad procedure name '${procedure}': ${problem}`);
    if (this.regs.has(procedure))
      throw new GatewayError('already_exists', `procedure ${procedure} is already registered by this client`);
    const state: RegState = {
      procedure,
      handler: handler as RpcHandler<unknown, unknown>,
      serverId: 0,
      active: true,
    };
    await this.sendRegister(state);
    this.regs.set(procedure, state);
    return {
      procedure,
      unregister: async () => {
        if (!state.active) return;
        state.active = false;
        this.regs.delete(procedure);
        this.regsByServerId.delete(state.serverId);
        if (!this.conn.closed)
          await this.conn.request((id) => [M.UNREGISTER, id, state.serverId], undefined, REQUEST_TIMEOUT_MS);
      },
    };
  }

  private async sendRegister(state: RegState): Promise<void> {
    await this.conn.request(
      (id) => [M.REGISTER, id, state.procedure],
      undefined,
      REQUEST_TIMEOUT_MS,
      (f) => {
        state.serverId = f.header[2] as number;
        this.regsByServerId.set(state.serverId, state);
      },
    );
  }

  async call<R = unknown>(procedure: string, args?: unknown, options: CallOptions = {}): Promise<R> {
    const problem = topicProblem(procedure);
    if (problem) throw new GatewayError('invalid_argument', `bad procedure name '${procedure}': ${problem}`);
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (this.conn.closed && this.reconnecting) await this.reconnecting.catch(() => undefined);
    // The gateway enforces the timeout; the extra second only covers a gateway that vanished.
    const reply = await this.conn.request(
      (id) => [M.CALL, id, procedure, timeoutMs],
      encodePayload(args),
      timeoutMs + 1000,
    );
    return decodePayload(reply.payload) as R;
  }

  private async onInvocation(frame: Frame): Promise<void> {
    const [, invId, regId, procedure, caller] = frame.header as [number, number, number, string, string];
    const conn = this.conn;
    const state = this.regsByServerId.get(regId);
    if (!state || !state.active) {
      conn.send([
        M.INVOCATION_ERROR,
        invId,
        'no_such_procedure',
        `${procedure} is no longer registered here`,
      ]);
      return;
    }
    try {
      const result = await state.handler(decodePayload(frame.payload), { procedure, caller });
      conn.send([M.YIELD, invId], encodePayload(result));
    } catch (err) {
      const code = err instanceof GatewayError && isErrorCode(err.code) ? err.code : 'internal';
      conn.send([M.INVOCATION_ERROR, invId, code, (err as Error).message ?? String(err)]);
    }
  }

  // --- frames and reconnection ----------------------------------------------------------------

  private onFrame(frame: Frame): void {
    switch (frame.header[0]) {
      case M.EVENT:
        return this.onEvent(frame);
      case M.INVOCATION:
        void this.onInvocation(frame);
        return;
      case M.PUBACK:
        this.unacked.ack(frame.header[1] as number);
        return;
      case M.PING:
        this.conn.send([M.PONG, frame.header[1]]);
        return;
      case M.UNREGISTERED: {
        // Unasked: the gateway withdrew a registration (another gateway holds the procedure).
        const state = this.regsByServerId.get(frame.header[2] as number);
        if (state) {
          state.active = false;
          this.regs.delete(state.procedure);
          this.regsByServerId.delete(state.serverId);
        }
        const code = frame.header[3];
        this.events.emit(
          'error',
          new GatewayError(isErrorCode(code) ? code : 'internal', String(frame.header[4])),
        );
        return;
      }
      case M.DROPPED: {
        const state = this.subsByServerId.get(frame.header[1] as number);
        const count = frame.header[2] as number;
        if (state) state.dropped += count;
        this.events.emit('dropped', { pattern: state?.pattern, count });
        return;
      }
      case M.ERROR:
        // An error to a fire-and-forget publish (bad topic): surfaced as an event.
        this.events.emit(
          'error',
          new GatewayError(
            isErrorCode(frame.header[2]) ? frame.header[2] : 'internal',
            String(frame.header[3]),
          ),
        );
        return;
      case M.ABORT:
        this.events.emit(
          'error',
          new GatewayError(
            isErrorCode(frame.header[1]) ? frame.header[1] : 'internal',
            String(frame.header[2]),
          ),
        );
        return;
    }
  }

  private onLost(): void {
    if (this.userClosed) return this.unacked.fail(new GatewayError('closed', 'client is closed'));
    this.events.emit('disconnected');
    if (this.opts.reconnect === false)
      return this.unacked.fail(new GatewayError('unavailable', 'connection to the gateway lost'));
    this.reconnecting ??= this.reconnect().finally(() => (this.reconnecting = undefined));
  }

  private async reconnect(): Promise<void> {
    let delay = 100;
    while (!this.userClosed) {
      try {
        // Until what was published offline has gone out, new publications queue behind it.
        this.restoring = true;
        this.conn = await this.open();
        this.subsByServerId.clear();
        this.regsByServerId.clear();
        // One refused restore (say, a registration the gateway still holds for the lost session) is
        // reported and retried on the next reconnect; it does not throw the new connection away.
        for (const s of this.subs)
          await this.sendSubscribe(s).catch((err) => {
            this.restoreFailed('subscription', s.pattern, err);
            // A durable name stays held by the lost session until the gateway notices it is gone.
            if (s.durable !== undefined)
              this.retryRestore(
                () => this.subscriptionLost(s),
                () => this.sendSubscribe(s),
                20,
              );
          });
        for (const r of this.regs.values())
          await this.sendRegister(r).catch((err) => {
            this.restoreFailed('registration', r.procedure, err);
            // Typically the gateway still holds it for the lost session until it notices that one
            // is gone: try again for a while.
            this.retryRestore(
              () => this.registrationLost(r),
              () => this.sendRegister(r),
              20,
            );
          });
        if (this.conn.closed) throw new GatewayError('unavailable', 'connection lost while restoring');
        this.resendKept();
        this.restoring = false;
        this.events.emit('reconnected', { sessionId: this.sessionId, gatewayId: this.gatewayId });
        return;
      } catch {
        if (this.userClosed) return;
        if (this.conn && !this.conn.closed) this.conn.conn.destroy();
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 3000);
      }
    }
  }

  /**
   * Everything not acknowledged, oldest first, before any new publication: the gateway numbers them
   * from the HELLO's nextPubSeq on, so each keeps its id and a copy that was already delivered is
   * recognised (docs/protocol.md §2, republish).
   */
  private resendKept(): void {
    const legacy = !this.conn.pubAcks;
    for (const p of this.unacked.all())
      this.conn.sendHead(publishHead(p.topic, legacy ? 0 : p.mode, p.exclude), p.payload);
    if (legacy) this.unacked.ackAll();
  }

  /** Still wanted and not restored on the current connection. */
  private registrationLost(state: RegState): boolean {
    return (
      state.active && this.regs.get(state.procedure) === state && !this.regsByServerId.has(state.serverId)
    );
  }

  private subscriptionLost(state: SubState): boolean {
    return state.active && this.subs.has(state) && this.subsByServerId.get(state.serverId) !== state;
  }

  /** Retries a refused restore every 2 s while `lost()` holds, up to `attemptsLeft` times. */
  private retryRestore(lost: () => boolean, send: () => Promise<void>, attemptsLeft: number): void {
    if (attemptsLeft <= 0) return;
    const timer = setTimeout(() => {
      if (this.userClosed || !lost()) return;
      if (this.conn.closed) return; // the next reconnect restores it
      send().catch(() => this.retryRestore(lost, send, attemptsLeft - 1));
    }, 2000);
    timer.unref?.();
  }

  private restoreFailed(what: string, name: string, err: unknown): void {
    const e = err instanceof GatewayError ? err : new GatewayError('internal', String(err));
    this.events.emit(
      'error',
      new GatewayError(e.code, `could not restore ${what} ${name} after reconnecting: ${e.message}`),
    );
  }

  async close(): Promise<void> {
    if (this.userClosed) return;
    this.userClosed = true;
    if (!this.conn.closed && !this.restoring) {
      // A silent gateway is given up by the liveness check (liveness.ts); one that answers but
      // acknowledges nothing is not waited for past the request timeout.
      await withTimeout(this.flush(), REQUEST_TIMEOUT_MS, () => new Error('flush timed out')).catch(
        () => undefined,
      );
      this.conn.send([M.GOODBYE, 'client closed']);
      await this.whenDrained();
      this.conn.conn.close();
    }
    this.liveness?.stop();
    if (this.unacked.count > 0)
      this.events.emit(
        'error',
        new GatewayError(
          'unavailable',
          `client closed with ${this.unacked.count} publications its gateway had not acknowledged`,
        ),
      );
    this.unacked.fail(new GatewayError('closed', 'client is closed'));
  }
}
