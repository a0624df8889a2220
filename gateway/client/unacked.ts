/**
 * The client's tracked publications that its gateway has not acknowledged yet (docs/protocol.md
 * §2, PUBACK; §7). Each gets the next number of the client's pubStream; it is kept, encoded, until a
 * cumulative PUBACK covers it, and sent again after a reconnect. This is also where publishing
 * waits: `publish()` resolves while what is kept stays under the high-water mark, and once it is
 * over, when acknowledgements bring it back under — so a loop that awaits every publish is paced
 * by its gateway, and a paced publisher never waits. A caller that does not await gets an error
 * at the hard bound instead of growing memory without limit.
 */
import { GatewayError } from '../protocol/errors';
import { Fifo } from './fifo';

export interface KeptPublication {
  seq: number;
  topic: string;
  /** A P.* mode (protocol/messages.ts): TRACKED, or ACK_NOW for a publish with `ack`. */
  mode: number;
  exclude: boolean;
  payload: Buffer;
}

export interface UnackedLimits {
  /** `publish()` waits while this many bytes are kept (backpressure). */
  highWaterBytes: number;
  /** …or while this many publications are kept. */
  highWaterCount: number;
  /** Past this, `publish()` rejects with `limit_exceeded` (a caller that ignores the waiting). */
  maxBytes: number;
  /** …or past this many kept (below the gateways' duplicate window, router.ts). */
  maxCount: number;
}

/** Bookkeeping a kept publication costs beyond its payload (object, topic reference, queue slot). */
const OVERHEAD_BYTES = 64;

export class UnackedPublications {
  private readonly kept = new Fifo<KeptPublication>();
  private keptBytes = 0;
  private nextSeq = 1;
  /** Highest number the gateway has acknowledged. */
  private acked = 0;
  /** One promise for everyone waiting for room: a loop that does not await makes no promise each. */
  private room: { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } | undefined;
  private readonly ackWaiters = new Fifo<{ seq: number; resolve: () => void; reject: (e: Error) => void }>();

  constructor(private readonly limits: UnackedLimits) {}

  get bytes(): number {
    return this.keptBytes;
  }

  get count(): number {
    return this.kept.length;
  }

  /** The number the gateway should give the first publication it receives next (HELLO). */
  get firstUnacked(): number {
    return this.acked + 1;
  }

  /** The number of the latest tracked publication (0: none yet). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** Why a new publication of `size` bytes cannot be kept, if it cannot. */
  refusal(size: number): GatewayError | undefined {
    const { maxBytes, maxCount } = this.limits;
    if (this.keptBytes + size + OVERHEAD_BYTES <= maxBytes && this.kept.length < maxCount) return undefined;
    return new GatewayError(
      'limit_exceeded',
      `${this.kept.length} publications (${this.keptBytes} bytes) already wait for the gateway's acknowledgement: await publish() to be paced`,
    );
  }

  /** Keep a new publication; returns it with its number. */
  add(topic: string, mode: number, exclude: boolean, payload: Buffer): KeptPublication {
    const p: KeptPublication = { seq: this.nextSeq++, topic, mode, exclude, payload };
    this.kept.push(p);
    this.keptBytes += payload.length + OVERHEAD_BYTES;
    return p;
  }

  /** Everything kept, oldest first (to send again after a reconnect). */
  all(): Iterable<KeptPublication> {
    return this.kept;
  }

  get overHighWater(): boolean {
    return this.keptBytes >= this.limits.highWaterBytes || this.kept.length >= this.limits.highWaterCount;
  }

  /** Resolves once what is kept is under the high-water mark again. */
  whenRoom(): Promise<void> {
    if (!this.overHighWater) return Promise.resolve();
    if (!this.room) {
      let resolve!: () => void;
      let reject!: (e: Error) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.room = { promise, resolve, reject };
    }
    return this.room.promise;
  }

  /** Resolves once publication `seq` (and so every earlier one) is acknowledged. */
  whenAcked(seq: number): Promise<void> {
    if (seq <= this.acked) return Promise.resolve();
    return new Promise((resolve, reject) => this.ackWaiters.push({ seq, resolve, reject }));
  }

  /** The gateway took every publication up to `upTo` on: forget them, wake whoever waited. */
  ack(upTo: number): void {
    if (upTo <= this.acked) return;
    this.acked = Math.min(upTo, this.lastSeq);
    while (this.kept.length > 0 && this.kept.peek()!.seq <= this.acked)
      this.keptBytes -= this.kept.shift()!.payload.length + OVERHEAD_BYTES;
    while (this.ackWaiters.length > 0 && this.ackWaiters.peek()!.seq <= this.acked)
      this.ackWaiters.shift()!.resolve();
    if (this.room && !this.overHighWater) {
      this.room.resolve();
      this.room = undefined;
    }
  }

  /** Taken on without an acknowledgement (a gateway that sends none, once written): forget all. */
  ackAll(): void {
    this.ack(this.lastSeq);
  }

  /** No gateway will ever take them on (closed, or no reconnect): fail whoever waits. */
  fail(err: Error): void {
    if (this.room) {
      // Nobody may be awaiting it (a loop that ignores the result): do not make it unhandled.
      this.room.promise.catch(() => undefined);
      this.room.reject(err);
      this.room = undefined;
    }
    while (this.ackWaiters.length > 0) this.ackWaiters.shift()!.reject(err);
  }
}
