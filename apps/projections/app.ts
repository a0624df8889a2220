/**
 * The projections app (docs/read-side.md): one durable subscription to every domain event, validated
 * against the contract, written in batches (ingest.ts), acknowledged after commit; the periodic
 * aggregates (aggregates.ts); and the register_home RPC.
 */
import type { Pool } from 'pg';
import type { GatewayClient, Registration, Subscription } from '../../gateway/client';
import { ALL_EVENTS_PATTERN, PROCEDURES, TOPICS, schemaFor } from '../shared/contract';
import { compileCheck, type Check } from '../shared/contract/compiled-check';
import { MalformedCounter } from '../shared/events';
import { registerWhenFree, whenFree } from '../shared/register';
import type { Logger } from '../shared/logger';
import { Aggregates, DEFAULT_AGGREGATES, type AggregateOptions } from './aggregates';
import { IngestQueue } from './ingest';
import type { Applied } from './model/plan';
import { registerHome } from './register-home';

/** What the projections publish themselves: they arrive on the same pattern and change nothing. */
const OWN_TOPICS = new Set<string>([
  TOPICS.totalsCalculated,
  TOPICS.historyUpdated,
  TOPICS.providerMetricsCalculated,
  TOPICS.cityMeasured,
  TOPICS.metricsThroughput,
]);

/**
 * The ticks' topics (every home, every tick) are checked by a check compiled from their schema
 * (contract/compiled-check.ts): their rows pick fields by name, so the payload itself can be kept
 * instead of zod's parsed copy. The schema still judges, and words the problem of, what it refuses.
 */
const FAST_CHECKS = new Map<string, Check>(
  [TOPICS.homeMeasured, TOPICS.homeTraded, TOPICS.balanceUpdated].flatMap((topic) => {
    const check = compileCheck(schemaFor(topic)!);
    return check ? [[topic, check] as [string, Check]] : [];
  }),
);

export interface ProjectionsOptions {
  pool: Pool;
  log: Logger;
  durableName: string;
  maxBatch: number;
  flushMs: number;
  maxInFlight: number;
  /** Writer connections (default 2; config.ts). */
  writers?: number;
  aggregates?: Partial<AggregateOptions> | false;
}

export class ProjectionsApp {
  readonly malformed = new MalformedCounter();
  /** Events on topics outside the contract (ignored). */
  unknownTopics = 0;
  readonly ingest: IngestQueue;
  readonly aggregates: Aggregates | undefined;
  private subscription: Subscription | undefined;
  private registration: Registration | undefined;

  constructor(
    private readonly client: GatewayClient,
    private readonly options: ProjectionsOptions,
  ) {
    this.ingest = new IngestQueue(options.pool, options.log, {
      maxBatch: options.maxBatch,
      flushMs: options.flushMs,
      writers: options.writers ?? 2,
    });
    if (options.aggregates !== false)
      this.aggregates = new Aggregates(options.pool, client, this.ingest, options.log, {
        ...DEFAULT_AGGREGATES,
        ...options.aggregates,
      });
  }

  /**
   * Warms the writers, then subscribes, so that a restart resumes ingest at once, then registers
   * register_home.
   */
  async start(): Promise<void> {
    await this.ingest.warm();
    // After a crash the gateway holds the durable for the dead session until it times out.
    this.subscription = await whenFree(
      () =>
        this.client.subscribe(ALL_EVENTS_PATTERN, (payload, meta) => this.handle(meta.topic, payload), {
          durable: this.options.durableName,
          maxInFlight: this.options.maxInFlight,
        }),
      { durable: this.options.durableName },
      this.options.log,
    );
    this.aggregates?.start();
    this.registration = await registerWhenFree(
      this.client,
      PROCEDURES.registerHome,
      (args) => registerHome(this.options.pool, args),
      this.options.log,
    );
  }

  /** Returns the promise of the event's commit; bad or foreign events settle at once. */
  handle(topic: string, payload: unknown): Promise<void> | void {
    if (OWN_TOPICS.has(topic)) return;
    if (FAST_CHECKS.get(topic)?.(payload)) return this.ingest.add({ topic, event: payload } as Applied);
    const schema = schemaFor(topic);
    if (!schema) {
      this.unknownTopics++;
      return;
    }
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      this.malformed.add(topic);
      const issue = parsed.error.issues[0];
      this.options.log.warn(
        {
          topic,
          field: issue?.path.join('.'),
          problem: issue?.message,
          malformed_total: this.malformed.total,
        },
        'malformed event ignored',
      );
      return;
    }
    return this.ingest.add({ topic, event: parsed.data } as Applied);
  }

  /** Malformed events per topic, for /metrics. */
  malformedByTopic(): Array<[string, number]> {
    return [...Object.values(TOPICS)]
      .map((t) => [t, this.malformed.get(t)] as [string, number])
      .filter(([, n]) => n > 0);
  }

  async stop(): Promise<void> {
    this.aggregates?.stop();
    await this.subscription?.unsubscribe().catch(() => undefined);
    await this.registration?.unregister().catch(() => undefined);
    await this.ingest.stop();
  }
}
