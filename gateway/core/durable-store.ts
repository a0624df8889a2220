/**
 * Every durable subscription of one gateway, held to gateway-wide bounds on top of each one's own
 * (docs/protocol.md §2): how many may exist (`DURABLE_MAX_COUNT`), how many bytes all of them may keep
 * together (`DURABLE_TOTAL_MAX_BYTES`), and how long one may stay without a client before it is
 * removed (`DURABLE_EXPIRE_S`). Without these, clients that subscribe under ever new names and go
 * away could make the gateway keep events until it runs out of memory.
 */
import { GatewayError } from '../protocol/errors';
import { HeldBySession } from './held';
import {
  DurableSubscription,
  type DurableBudget,
  type DurableJournal,
  type DurableLimits,
  type StoredEvent,
} from './subscribers';

/** A subscription as a durable log kept it (gateway/durable/recovery.ts). */
export interface RestoredDurable {
  name: string;
  pattern: string;
  owner: string;
  lastSeq: number;
  overflow: number;
  overflowTotal: number;
  /** Undefined when the log predates epochs. */
  epoch: string | undefined;
  events: StoredEvent[];
}

export interface DurableStoreLimits extends DurableLimits {
  maxCount: number;
  totalMaxBytes: number;
  /** 0: never expire. */
  expireMs: number;
}

export interface DurableStoreHooks {
  /** A subscription was created: start delivering to it. */
  added(sub: DurableSubscription): void;
  /** A subscription was removed (unsubscribed or expired): stop delivering to it. */
  removed(sub: DurableSubscription): void;
  /** A subscription was removed after `expireMs` without a client, with the events it kept. */
  expired(name: string, droppedEvents: number): void;
  /** Events were dropped to bring the total back within `totalMaxBytes`. */
  evicted(count: number, totalBytes: number): void;
}

export class DurableStore implements DurableBudget {
  private readonly byName = new Map<string, DurableSubscription>();
  /** Bytes kept by all durable subscriptions together. */
  totalBytes = 0;
  /** Events dropped to keep `totalBytes` within its bound. */
  evictedTotal = 0;
  /** Subscriptions removed after `expireMs` without a client. */
  expiredTotal = 0;
  /**
   * Names that expired, with the events they still kept: a client that subscribes under such a
   * name again is told about them as overflow, instead of silently starting afresh. Bounded like
   * the subscriptions themselves (oldest forgotten first).
   */
  private readonly expiredNames = new Map<string, number>();
  /** Where subscriptions are written down when the gateway keeps a durable log (GATEWAY_DATA_DIR). */
  journal: DurableJournal | undefined;

  constructor(
    private readonly limits: DurableStoreLimits,
    private readonly hooks: DurableStoreHooks,
  ) {}

  get size(): number {
    return this.byName.size;
  }

  get(name: string): DurableSubscription | undefined {
    return this.byName.get(name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  values(): IterableIterator<DurableSubscription> {
    return this.byName.values();
  }

  /**
   * The subscription under `name` for session `sessionId` of client `clientId`, created when new;
   * refused past `maxCount`. A name is bound to the client id that created it, and while a session
   * holds it no other session may take it: otherwise any client of the realm could subscribe under
   * a name it guessed and receive (and acknowledge away) another client's events. A client whose
   * old connection the gateway has not yet noticed is gone retries until liveness frees the name.
   */
  getOrCreate(
    name: string,
    pattern: string,
    sessionId: string,
    clientId: string,
  ): { sub: DurableSubscription; created: boolean } {
    const existing = this.byName.get(name);
    if (existing) {
      if (existing.pattern !== pattern) {
        throw new GatewayError(
          'already_exists',
          `durable subscription '${name}' exists with pattern '${existing.pattern}'`,
        );
      }
      if (existing.owner !== clientId) {
        throw new GatewayError(
          'unauthorized',
          `durable subscription '${name}' belongs to another client id; only the client id that created it may resume it`,
        );
      }
      if (existing.sessionId !== undefined && existing.sessionId !== sessionId) {
        throw new HeldBySession(
          `durable subscription '${name}' is held by another connected session; it cannot be taken over while that session is attached`,
          existing.sessionId,
        );
      }
      return { sub: existing, created: false };
    }
    if (this.byName.size >= this.limits.maxCount) {
      throw new GatewayError(
        'limit_exceeded',
        `this gateway keeps at most ${this.limits.maxCount} durable subscriptions (DURABLE_MAX_COUNT)`,
      );
    }
    const sub = new DurableSubscription(name, pattern, clientId, this.limits, this);
    const lost = this.expiredNames.get(name);
    if (lost !== undefined) {
      this.expiredNames.delete(name);
      sub.overflow = lost;
      sub.overflowTotal = lost;
    }
    this.byName.set(name, sub);
    sub.journal = this.journal;
    this.journal?.created(sub);
    this.hooks.added(sub);
    return { sub, created: true };
  }

  /**
   * Subscriptions read back from the durable log at start, without a client until one resumes them
   * (the expiry counts from now). Before any client connects, so no name is taken yet.
   */
  restore(kept: Iterable<RestoredDurable>): void {
    for (const r of kept) {
      const sub = new DurableSubscription(r.name, r.pattern, r.owner, this.limits, this);
      sub.restore(r.lastSeq, r.events, r.overflow, r.overflowTotal, r.epoch);
      sub.journal = this.journal;
      this.byName.set(r.name, sub);
      this.hooks.added(sub);
    }
    this.enforce();
  }

  remove(name: string): void {
    const sub = this.byName.get(name);
    if (!sub) return;
    this.byName.delete(name);
    this.journal?.removed(sub);
    sub.journal = undefined;
    sub.clear();
    this.hooks.removed(sub);
  }

  /** Removes subscriptions that have had no client for longer than `expireMs`. */
  expire(now = Date.now()): string[] {
    if (this.limits.expireMs <= 0) return [];
    const gone: string[] = [];
    for (const sub of this.byName.values()) {
      if (sub.detachedSince !== undefined && now - sub.detachedSince > this.limits.expireMs)
        gone.push(sub.name);
    }
    for (const name of gone) {
      const sub = this.byName.get(name)!;
      // Overflow not yet reported to a client counts as lost too.
      const kept = sub.pending + sub.overflow;
      this.remove(name);
      this.expiredTotal++;
      // A name is never here while it exists (getOrCreate takes it out), so this appends.
      this.expiredNames.set(name, kept);
      if (this.expiredNames.size > this.limits.maxCount)
        this.expiredNames.delete(this.expiredNames.keys().next().value as string);
      this.hooks.expired(name, kept);
    }
    return gone;
  }

  change(deltaBytes: number): void {
    this.totalBytes += deltaBytes;
  }

  /**
   * Over the total bound: drop the oldest events of the subscription keeping the most bytes,
   * preferring ones without a client (an abandoned subscription should not crowd out one in use).
   * A client holding that subscription is told at once (DROPPED); otherwise the drop counts as its
   * overflow, reported on resume.
   */
  enforce(): void {
    if (this.totalBytes <= this.limits.totalMaxBytes) return;
    let evicted = 0;
    const victims = new Set<DurableSubscription>();
    // Down to 1 % under the bound, so that under sustained pressure the search for a victim (a
    // pass over all subscriptions) runs once per 1 % of the budget, not once per event.
    const target = this.limits.totalMaxBytes - Math.floor(this.limits.totalMaxBytes / 100);
    let victim = this.largest();
    while (victim && this.totalBytes > target) {
      if (victim.evictOldest()) {
        victims.add(victim);
        evicted++;
      } else victim = this.largest();
    }
    for (const v of victims) v.reportEvictions();
    this.evictedTotal += evicted;
    if (evicted > 0) this.hooks.evicted(evicted, this.totalBytes);
  }

  private largest(): DurableSubscription | undefined {
    let best: DurableSubscription | undefined;
    for (const sub of this.byName.values()) {
      if (sub.pending === 0) continue;
      if (!best) best = sub;
      else {
        const away = sub.detachedSince !== undefined;
        const bestAway = best.detachedSince !== undefined;
        if ((away && !bestAway) || (away === bestAway && sub.pendingBytes > best.pendingBytes)) best = sub;
      }
    }
    return best;
  }
}
