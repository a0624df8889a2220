/**
 * An in-memory stand-in for the gateway, implementing the GatewayClient interface, so the apps run
 * without a gateway: in unit tests, and in the calibration year (`npm run sim:calibrate`). Delivery is
 * asynchronous (a microtask), like a real client; `*` and `>` patterns as on the gateway. Payloads are
 * copied per subscriber, as a wire would, unless `clone: false` (the calibration year, where no app
 * mutates what it receives and copying would triple the run time); `record: false` keeps no log.
 */
import { GatewayError } from '../../gateway/client';
import type { EventHandler, GatewayClient, RpcHandler } from '../../gateway/client/types';

export function topicMatches(pattern: string, topic: string): boolean {
  const p = pattern.split('.');
  const t = topic.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return i === p.length - 1 && t.length > i;
    if (i >= t.length || (p[i] !== '*' && p[i] !== t[i])) return false;
  }
  return p.length === t.length;
}

export interface BusOptions {
  clone?: boolean;
  record?: boolean;
}

export class FakeBus {
  constructor(private readonly options: BusOptions = {}) {}

  private readonly subs: { pattern: string; handler: EventHandler; owner: string }[] = [];
  /** Subscriptions per topic, rebuilt after any subscribe or unsubscribe. */
  private readonly matching = new Map<string, { pattern: string; handler: EventHandler; owner: string }[]>();
  private readonly procedures = new Map<string, RpcHandler>();
  readonly log: { topic: string; payload: Record<string, unknown> }[] = [];
  private pending: Promise<void>[] = [];
  private seq = 0;

  events(topic: string): Record<string, unknown>[] {
    return this.log.filter((e) => e.topic === topic).map((e) => e.payload);
  }

  /** Waits until every delivery so far (and what they triggered) has been handled. */
  async drain(): Promise<void> {
    while (this.pending.length > 0) await Promise.all(this.pending.splice(0));
  }

  /** Publishes from outside any client (e.g. malformed input in tests). */
  inject(topic: string, payload: unknown): void {
    this.deliver(topic, payload, 'test');
  }

  private deliver(topic: string, payload: unknown, publisher: string): void {
    if (this.options.record !== false) this.log.push({ topic, payload: payload as Record<string, unknown> });
    let matching = this.matching.get(topic);
    if (!matching)
      this.matching.set(topic, (matching = this.subs.filter((x) => topicMatches(x.pattern, topic))));
    for (const s of matching) {
      // Payloads cross a wire in reality: deliver a copy so no one shares objects.
      const copy = this.options.clone === false ? payload : structuredClone(payload);
      this.pending.push(
        Promise.resolve().then(() => s.handler(copy, { topic, publisher, gatewayId: 'fake' })),
      );
    }
  }

  client(name = `c${++this.seq}`): GatewayClient {
    const mine: string[] = [];
    return {
      sessionId: name,
      gatewayId: 'fake',
      subscribe: async (pattern, handler) => {
        const sub = { pattern, handler: handler as EventHandler, owner: name };
        this.subs.push(sub);
        this.matching.clear();
        return {
          pattern,
          dropped: 0,
          duplicates: 0,
          unsubscribe: async () => {
            const i = this.subs.indexOf(sub);
            if (i >= 0) this.subs.splice(i, 1);
            this.matching.clear();
          },
        };
      },
      publish: async (topic, payload) => this.deliver(topic, payload, name),
      register: async (procedure, handler) => {
        if (this.procedures.has(procedure)) throw new GatewayError('already_exists', procedure);
        this.procedures.set(procedure, handler as RpcHandler);
        mine.push(procedure);
        return { procedure, unregister: async () => void this.procedures.delete(procedure) };
      },
      call: async <R>(procedure: string, args?: unknown) => {
        const h = this.procedures.get(procedure);
        if (!h) throw new GatewayError('no_such_procedure', procedure);
        return structuredClone(await h(structuredClone(args), { procedure, caller: name })) as R;
      },
      flush: async () => undefined,
      on: () => undefined,
      close: async () => {
        for (const p of mine) this.procedures.delete(p);
      },
    };
  }
}
