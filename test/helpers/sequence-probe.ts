/**
 * A numbered stream across the mesh, for link faults: one client publishes `{ seq, sentAt }` every
 * `everyMs` on one gateway, subscribers on other gateways record what arrives. From the records:
 * what was lost (published and accepted, never delivered), what came twice, and how long after a
 * moment (a cut) the first message published after it arrived — "traffic flowing again".
 */
import { connect, type GatewayClient, type Subscription } from '../../gateway/client';

export interface ProbeEndpoint {
  /** Client URL of the gateway (`https://host:port`). */
  url: string;
  name: string;
  /** Subscribe this one durably, or not, whatever the probe's `durable` option says. */
  durable?: boolean;
}

interface Arrival {
  seq: number;
  sentAt: number;
  at: number;
}

export class SequenceProbe {
  /** Seqs the publishing gateway accepted (publish with ack), by send time. */
  private readonly accepted: { seq: number; sentAt: number }[] = [];
  readonly arrivals = new Map<string, Arrival[]>();
  /** Each subscriber's subscription, for what its client counted (republished copies dropped). */
  readonly subscriptions = new Map<string, Subscription>();
  private timer: NodeJS.Timeout | undefined;
  private next = 0;
  private inFlight = new Set<Promise<void>>();
  private readonly warmedUp = new Set<string>();

  private constructor(
    private readonly publisher: GatewayClient,
    private readonly subscribers: Map<string, GatewayClient>,
    readonly topic: string,
  ) {}

  static async start(
    realm: string,
    from: ProbeEndpoint,
    to: readonly ProbeEndpoint[],
    topic = `be.cortexiq.test.probe.${process.pid}.${Date.now()}`,
    /**
     * Subscribe durably (name `probe-<subscriber>`), so a gateway restart is resumed, not missed;
     * `maxInFlight` lets that many handlers run at once (each waits a macrotask, so they overlap).
     */
    options: { durable?: boolean; maxInFlight?: number } = {},
  ): Promise<SequenceProbe> {
    const open = (e: ProbeEndpoint, role: string) =>
      connect({ url: e.url, realm, insecure: true, clientId: `probe-${role}-${e.name}` });
    const subscribers = new Map<string, GatewayClient>();
    for (const e of to) subscribers.set(e.name, await open(e, 'sub'));
    const probe = new SequenceProbe(await open(from, 'pub'), subscribers, topic);
    for (const [name, client] of subscribers) {
      const durable = to.find((e) => e.name === name)?.durable ?? options.durable;
      const list: Arrival[] = [];
      probe.arrivals.set(name, list);
      const record = (p: { seq: number; sentAt: number }): void => {
        if (p.seq < 0) probe.warmedUp.add(name);
        else list.push({ seq: p.seq, sentAt: p.sentAt, at: Date.now() });
      };
      const windowed = (options.maxInFlight ?? 1) > 1;
      const subscription = await client.subscribe<{ seq: number; sentAt: number }>(
        topic,
        // Recorded on arrival (the handler's start, in order); finished a macrotask later.
        windowed
          ? (p) => {
              record(p);
              return new Promise<void>((r) => setImmediate(r));
            }
          : record,
        durable ? { durable: `probe-${name}`, maxInFlight: options.maxInFlight } : {},
      );
      probe.subscriptions.set(name, subscription);
    }
    await probe.warmUp();
    return probe;
  }

  /**
   * Publishes warm-up messages (seq -1, not counted) until every subscriber has one: until then the
   * publisher's gateway may not know of the subscriptions yet, and a first numbered message sent
   * before would be "lost" for a reason that has nothing to do with the network.
   */
  private async warmUp(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.warmedUp.size < this.subscribers.size) {
      if (Date.now() > deadline) {
        const cold = [...this.subscribers.keys()].filter((n) => !this.warmedUp.has(n));
        throw new Error(
          `probe on ${this.topic}: no warm-up message reached ${cold.join(', ')} in ${timeoutMs} ms`,
        );
      }
      await this.publisher.publish(this.topic, { seq: -1, sentAt: Date.now() }, { ack: true });
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * Starts publishing one message every `everyMs` (bounded: stops by itself after `maxMessages`).
   * With `ack` (the default) a message counts as published once its gateway acknowledged it;
   * without, once the client library took it (fire and forget: it queues while disconnected).
   */
  publishEvery(everyMs: number, maxMessages = 20_000, ack = true): void {
    this.timer = setInterval(() => {
      if (this.next >= maxMessages) return void this.stopPublishing();
      const seq = this.next++;
      const sentAt = Date.now();
      const p = this.publisher
        .publish(this.topic, { seq, sentAt }, { ack })
        .then(() => void this.accepted.push({ seq, sentAt }))
        .catch(() => undefined) // not accepted: not counted as published
        .finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }, everyMs);
  }

  async stopPublishing(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.inFlight);
  }

  published(): number {
    return this.accepted.length;
  }

  /** Accepted messages sent in [from, to] (Date.now() times), e.g. while a link was cut. */
  publishedBetween(from: number, to: number): number {
    return this.accepted.filter((a) => a.sentAt >= from && a.sentAt <= to).length;
  }

  /** Accepted seqs that `subscriber` has not received. */
  missing(subscriber: string): number[] {
    const got = new Set(this.arrivals.get(subscriber)!.map((a) => a.seq));
    return this.accepted.map((a) => a.seq).filter((s) => !got.has(s));
  }

  /** Seqs `subscriber` received more than once. */
  duplicates(subscriber: string): number[] {
    const seen = new Set<number>();
    const twice: number[] = [];
    for (const a of this.arrivals.get(subscriber)!) {
      if (seen.has(a.seq)) twice.push(a.seq);
      else seen.add(a.seq);
    }
    return twice;
  }

  /** Arrivals that came after a later-published message (publish order broken). */
  reorders(subscriber: string): number {
    let highest = -1;
    let n = 0;
    for (const a of this.arrivals.get(subscriber)!) {
      if (a.seq < highest) n++;
      else highest = a.seq;
    }
    return n;
  }

  /** One line for a failure message: counts, and which seqs are missing. */
  summary(subscriber: string): string {
    const missing = this.missing(subscriber);
    const shown = missing.length > 12 ? [...missing.slice(0, 6), '…', ...missing.slice(-6)] : missing;
    return (
      `${subscriber}: ${this.published()} published (${this.next} sent), ` +
      `${this.arrivals.get(subscriber)!.length} arrivals, ${missing.length} missing [${shown.join(' ')}], ` +
      `${this.duplicates(subscriber).length} duplicates, ${this.reorders(subscriber)} reordered`
    );
  }

  /** Whether `subscriber` has every accepted message (poll it after publishing stopped). */
  complete(subscriber: string): boolean {
    return this.missing(subscriber).length === 0;
  }

  /**
   * Milliseconds from `t` until `subscriber` received the first message published after `t`, or
   * undefined while none has arrived.
   */
  flowingAgainAfter(subscriber: string, t: number): number | undefined {
    const first = this.arrivals.get(subscriber)!.find((a) => a.sentAt >= t);
    return first ? first.at - t : undefined;
  }

  /** The largest publish-to-delivery time among messages published in [from, to). */
  maxLatency(subscriber: string, from = 0, to = Infinity): number {
    const inWindow = this.arrivals.get(subscriber)!.filter((a) => a.sentAt >= from && a.sentAt < to);
    return Math.max(0, ...inWindow.map((a) => a.at - a.sentAt));
  }

  async close(): Promise<void> {
    await this.stopPublishing();
    await Promise.all(
      [this.publisher, ...this.subscribers.values()].map((c) => c.close().catch(() => undefined)),
    );
  }
}
