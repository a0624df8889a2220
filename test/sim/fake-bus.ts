/**
 * An in-memory stand-in for the gateway, implementing the GatewayClient interface, so the apps'
 * messaging behaviour can be unit-tested without a gateway. Delivery is asynchronous (a microtask),
 * like a real client; `*` and `>` patterns as in docs/protocol.md §2.
 */
import { GatewayError } from '../../gateway/protocol/errors';
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

export class FakeBus {
  private readonly subs: { pattern: string; handler: EventHandler; owner: string }[] = [];
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
    this.log.push({ topic, payload: payload as Record<string, unknown> });
    for (const s of this.subs.filter((x) => topicMatches(x.pattern, topic))) {
      // Payloads cross a wire in reality: deliver a copy so no one shares objects.
      const copy = structuredClone(payload);
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
        return {
          pattern,
          dropped: 0,
          unsubscribe: async () => {
            const i = this.subs.indexOf(sub);
            if (i >= 0) this.subs.splice(i, 1);
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
