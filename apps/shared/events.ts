/**
 * Outgoing event envelope and incoming event validation shared by the apps.
 * Every event carries a unique `event_id` (projections dedupe on it, docs/domain.md, "Read side") and `simulation_time`.
 * An incoming event that fails its schema is counted and logged, never thrown (issue 4, "Bad input").
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { EventHandler, GatewayClient, Subscription } from '../../gateway/client';
import type { Logger } from './logger';

const isoCache = new Map<number, string>();

/**
 * ISO 8601 UTC of an instant. A tick formats the same few instants thousands of times (one per home
 * event, the same simulated hours for every home), so recent ones are cached.
 */
export function isoTime(ms: number): string {
  let s = isoCache.get(ms);
  if (s === undefined) {
    if (isoCache.size >= 512) isoCache.clear();
    s = new Date(ms).toISOString();
    isoCache.set(ms, s);
  }
  return s;
}

/** Adds `event_id` and `simulation_time` (ISO 8601 UTC) to a payload. */
export function envelope<T extends object>(
  simulationMs: number,
  payload: T,
): T & { event_id: string; simulation_time: string } {
  return { event_id: randomUUID(), simulation_time: isoTime(simulationMs), ...payload };
}

/** Counts of malformed events per topic, for logs and tests. */
export class MalformedCounter {
  private readonly byTopic = new Map<string, number>();
  total = 0;

  add(topic: string): void {
    this.total++;
    this.byTopic.set(topic, (this.byTopic.get(topic) ?? 0) + 1);
  }

  get(topic: string): number {
    return this.byTopic.get(topic) ?? 0;
  }
}

/**
 * Wraps a handler so that its payload is validated first; a malformed payload, or a handler that throws,
 * is counted and logged and the subscription stays alive.
 */
export function validated<S extends z.ZodType>(
  schema: S,
  counter: MalformedCounter,
  log: Logger,
  handler: (payload: z.output<S>, topic: string) => void | Promise<void>,
): EventHandler {
  return async (payload, meta) => {
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      counter.add(meta.topic);
      const issue = parsed.error.issues[0];
      log.warn(
        {
          topic: meta.topic,
          field: issue?.path.join('.'),
          problem: issue?.message,
          malformed_total: counter.total,
        },
        'malformed event ignored',
      );
      return;
    }
    try {
      await handler(parsed.data, meta.topic);
    } catch (err) {
      log.error({ err, topic: meta.topic }, 'event handler failed');
    }
  };
}

export async function subscribeValidated<S extends z.ZodType>(
  client: GatewayClient,
  pattern: string,
  schema: S,
  counter: MalformedCounter,
  log: Logger,
  handler: (payload: z.output<S>, topic: string) => void | Promise<void>,
): Promise<Subscription> {
  return client.subscribe(pattern, validated(schema, counter, log, handler));
}

/**
 * Publishes without awaiting per event (one tick publishes thousands); failures are logged, and
 * the returned promise settles when all of them have.
 */
export class Publisher {
  private pending: Promise<void>[] = [];
  published = 0;
  failed = 0;

  constructor(
    private readonly client: GatewayClient,
    private readonly log: Logger,
  ) {}

  publish(topic: string, payload: object): void {
    this.published++;
    this.pending.push(
      this.client.publish(topic, payload).catch((err: unknown) => {
        this.failed++;
        this.log.warn({ err, topic }, 'publish failed');
      }),
    );
  }

  async settle(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    await Promise.all(batch);
  }
}
