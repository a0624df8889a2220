/**
 * The two kinds of subscription a gateway delivers to (docs/protocol.md §2): live ones, owned by a
 * connected client, and durable ones, which keep events while their client is away and replay
 * what was not acknowledged when a client subscribes again under the same name.
 */
import { randomBytes } from 'node:crypto';
import { encodeFrame } from '../protocol/frames';
import { M } from '../protocol/messages';
import { EventHead } from './event-head';
import type { Outbound } from './outbound';

export interface Subscriber {
  readonly pattern: string;
  /** Session that owns this subscription right now (undefined for a durable one that is away). */
  readonly sessionId: string | undefined;
  /**
   * `stream`/`pubSeq`: a tracked publication's id (null/0 otherwise), passed on in EVENT so the
   * client drops a republished copy it already has (docs/protocol.md §2, republish).
   */
  deliver(
    topic: string,
    publisher: string,
    gatewayId: string,
    payload: Buffer,
    stream: string | null,
    pubSeq: number,
  ): void;
}

export class LiveSubscription implements Subscriber {
  // A stream of events mostly repeats topic, publisher and stream: reuse the encoded header then,
  // with only a tracked publication's number written into it (event-head.ts).
  private readonly head = new EventHead();

  constructor(
    readonly pattern: string,
    readonly subId: number,
    readonly sessionId: string,
    private readonly out: Outbound,
  ) {}

  deliver(
    topic: string,
    publisher: string,
    gatewayId: string,
    payload: Buffer,
    stream: string | null,
    pubSeq: number,
  ): void {
    this.out.event(
      this.head.of(this.subId, topic, publisher, gatewayId, stream, pubSeq),
      payload,
      this.subId,
    );
  }
}

export interface StoredEvent {
  seq: number;
  topic: string;
  publisher: string;
  gatewayId: string;
  payload: Buffer;
  /** The publication's id when it was tracked (null/0 otherwise): the client dedupes by it. */
  stream: string | null;
  pubSeq: number;
}

export interface DurableLimits {
  maxMessages: number;
  maxBytes: number;
}

/** What durable subscriptions report their kept bytes to. */
export interface DurableBudget {
  change(deltaBytes: number): void;
  /** Called after an event was kept: free room elsewhere if the total is over the bound. */
  enforce(): void;
}

const NO_BUDGET: DurableBudget = { change: () => {}, enforce: () => {} };

/**
 * Where a durable subscription's life is written down when the gateway has a data folder
 * (gateway/durable/durable-log.ts): its creation, each event kept, and each change of position.
 */
export interface DurableJournal {
  created(sub: DurableSubscription): void;
  removed(sub: DurableSubscription): void;
  event(sub: DurableSubscription, e: StoredEvent): void;
  /** Acknowledged, dropped or overflow told: the position to write with the next batch. */
  changed(sub: DurableSubscription): void;
}

/** Bytes one kept event counts for: payload, topic and a fixed allowance for the record. */
function keptBytes(e: { payload: Buffer; topic: string }): number {
  return e.payload.length + e.topic.length + 64;
}

export class DurableSubscription implements Subscriber {
  private events: StoredEvent[] = [];
  private head = 0;
  private bytes = 0;
  private nextSeq = 1;
  /** Highest sequence handed to the attached client's outbound path. */
  private sentSeq = 0;
  /**
   * With a durable log, the highest sequence its last finished batch holds: only those go to the
   * client, so a number a client has seen names the same event after a crash (docs/loss.md).
   */
  private durableSeq = 0;
  private waitingForRoom = false;
  /** Events dropped by the bound since the last resume, reported to the client on resume. */
  overflow = 0;
  overflowTotal = 0;
  /** Evicted while a client was attached, not yet told to it (reportEvictions). */
  private evictedUnreported = 0;
  private attached: { sessionId: string; subId: number; out: Outbound } | undefined;
  /** Since when no client holds this subscription (ms epoch); undefined while one does. */
  detachedSince: number | undefined = Date.now();
  /** Set by the store when the gateway keeps a durable log. */
  journal: DurableJournal | undefined;
  /**
   * Names this life of the subscription (docs/protocol.md §2, "epoch"): made when it is created, kept
   * by the durable log across a restart, new when a gateway without one forgot it. Sequence numbers
   * mean the same events only within one epoch, so a client compares it before it trusts its own.
   */
  epoch = randomBytes(9).toString('base64url');

  /** `budget` holds all durable subscriptions of the gateway to one bound (durable-store.ts). */
  constructor(
    readonly name: string,
    readonly pattern: string,
    /** Client id that created it: the only identity that may resume it (durable-store.ts). */
    readonly owner: string,
    private readonly limits: DurableLimits,
    private readonly budget: DurableBudget = NO_BUDGET,
  ) {}

  get sessionId(): string | undefined {
    return this.attached?.sessionId;
  }

  get pending(): number {
    return this.events.length - this.head;
  }

  get pendingBytes(): number {
    return this.bytes;
  }

  /** Every event up to this sequence is acknowledged or dropped. */
  get floor(): number {
    return this.pending > 0 ? this.events[this.head].seq - 1 : this.nextSeq - 1;
  }

  /** The sequence of the last event kept so far (0 before the first). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /**
   * Back from the durable log after a restart: sequences continue where they were, so a client
   * that acknowledged up to n before the crash resumes right after n.
   */
  restore(
    lastSeq: number,
    events: StoredEvent[],
    overflow: number,
    overflowTotal: number,
    epoch: string | undefined,
  ): void {
    // A log written before epochs existed keeps the fresh one: the client starts over at the floor.
    if (epoch) this.epoch = epoch;
    this.durableSeq = Math.max(lastSeq, events.length > 0 ? events[events.length - 1].seq : 0);
    for (const e of events) {
      this.events.push({ ...e });
      const added = keptBytes(e);
      this.bytes += added;
      this.budget.change(added);
    }
    this.nextSeq = Math.max(lastSeq, events.length > 0 ? events[events.length - 1].seq : 0) + 1;
    this.overflow = overflow;
    this.overflowTotal = overflowTotal;
  }

  /**
   * Drops every kept event up to `seq` (the durable log deleted the segment holding them), told to
   * the client like any overflow. Returns how many went.
   */
  dropUpTo(seq: number): number {
    let n = 0;
    while (this.pending > 0 && this.events[this.head].seq <= seq) {
      this.dropOldest(this.attached ? 'now' : 'on resume');
      n++;
    }
    this.reportEvictions();
    return n;
  }

  /** The durable log finished a batch holding this subscription's events up to `seq`. */
  durableUpTo(seq: number): void {
    if (seq <= this.durableSeq) return;
    this.durableSeq = seq;
    this.pump();
  }

  deliver(
    topic: string,
    publisher: string,
    gatewayId: string,
    payload: Buffer,
    stream: string | null,
    pubSeq: number,
  ): void {
    // Keep a copy: the payload is a view into a read buffer that will be reused.
    const event: StoredEvent = {
      seq: this.nextSeq++,
      topic,
      publisher,
      gatewayId,
      payload: Buffer.from(payload),
      stream,
      pubSeq,
    };
    this.events.push(event);
    this.journal?.event(this, event);
    const added = keptBytes(event);
    this.bytes += added;
    this.budget.change(added);
    while (this.pending > this.limits.maxMessages || this.bytes > this.limits.maxBytes) this.dropOldest();
    // After this subscription's own bound, so the gateway-wide one only takes what is left over.
    this.budget.enforce();
    this.pump();
  }

  /** A client (re)subscribes under this name: replay everything not yet acknowledged, in order. */
  attach(sessionId: string, subId: number, out: Outbound): number {
    this.attached = { sessionId, subId, out };
    this.detachedSince = undefined;
    this.sentSeq = 0;
    this.waitingForRoom = false;
    const overflow = this.overflow;
    this.overflow = 0;
    // Told now: a restart must not tell it again.
    if (overflow > 0) this.journal?.changed(this);
    this.pump();
    return overflow;
  }

  detach(sessionId: string): void {
    if (this.attached?.sessionId !== sessionId) return;
    // Not told yet: it goes with the overflow reported on resume.
    this.overflow += this.evictedUnreported;
    this.evictedUnreported = 0;
    this.attached = undefined;
    this.detachedSince = Date.now();
  }

  /**
   * Drops the oldest kept event to make room gateway-wide. Without a client it counts as overflow,
   * reported on resume; with one, it is told at `reportEvictions` instead. False when nothing is kept.
   */
  evictOldest(): boolean {
    if (this.pending === 0) return false;
    this.dropOldest(this.attached ? 'now' : 'on resume');
    return true;
  }

  /** Tells the attached client how many of its events were evicted since the last report. */
  reportEvictions(): void {
    const a = this.attached;
    if (!a || this.evictedUnreported === 0) return;
    a.out.control(encodeFrame([M.DROPPED, a.subId, this.evictedUnreported]));
    this.evictedUnreported = 0;
  }

  /** Forgets everything kept (the subscription is being removed). */
  clear(): void {
    while (this.pending > 0) this.forgetHead();
    this.compact();
  }

  /** Cumulative acknowledgement: everything up to `seq` is processed and can be forgotten. */
  ack(seq: number): void {
    let forgotten = 0;
    while (this.head < this.events.length && this.events[this.head].seq <= seq) {
      this.forgetHead();
      forgotten++;
    }
    this.compact();
    if (forgotten > 0) this.journal?.changed(this);
  }

  /**
   * Hand the client as many kept events as its outbound path has room for; the rest wait here
   * (they are kept anyway), so a slow durable client loses nothing to the slow-consumer bound.
   */
  private pump(): void {
    const a = this.attached;
    if (!a || this.waitingForRoom) return;
    let i = this.head;
    if (this.head < this.events.length) i += Math.max(0, this.sentSeq + 1 - this.events[this.head].seq);
    const limit = this.journal ? this.durableSeq : Number.POSITIVE_INFINITY;
    for (; i < this.events.length; i++) {
      // Not on disk yet: it goes once its batch is (durableUpTo).
      if (this.events[i].seq > limit) return;
      if (!a.out.hasRoom) {
        this.waitingForRoom = true;
        a.out.whenWritable(() => {
          this.waitingForRoom = false;
          if (this.attached === a) this.pump();
        });
        return;
      }
      const e = this.events[i];
      const head = [M.EVENT, a.subId, e.topic, e.publisher, e.gatewayId, e.seq];
      if (e.stream !== null) head.push(e.stream, e.pubSeq);
      a.out.control(encodeFrame(head, e.payload));
      this.sentSeq = e.seq;
    }
  }

  /** Drops the oldest kept event, counted for the client to be told now (DROPPED) or on resume. */
  private dropOldest(tell: 'now' | 'on resume' = 'on resume'): void {
    this.forgetHead();
    if (tell === 'now') this.evictedUnreported++;
    else this.overflow++;
    this.overflowTotal++;
    this.compact();
    this.journal?.changed(this);
  }

  private forgetHead(): void {
    const e = this.events[this.head++];
    const n = keptBytes(e);
    this.bytes -= n;
    this.budget.change(-n);
  }

  private compact(): void {
    if (this.head === this.events.length) {
      this.events = [];
      this.head = 0;
    } else if (this.head > 8192 && this.head * 2 > this.events.length) {
      this.events = this.events.slice(this.head);
      this.head = 0;
    }
  }
}
