/**
 * What keeps the live view model current: the subscriptions to the clock and the projections'
 * aggregates (validated with the contract's schemas), and a slow poll of the queries for what the
 * aggregates do not carry (connected homes per region, bills) and to know whether the queries answer.
 */
import type { z } from 'zod';
import type { GatewayClient, Subscription } from '../../../gateway/client';
import {
  cityMeasuredSchema,
  historyUpdatedSchema,
  homeInitializedSchema,
  metricsThroughputSchema,
  overviewSchema,
  providerMetricsCalculatedSchema,
  regionSummarySchema,
  resetSchema,
  stateChangedSchema,
  timeAdvancedSchema,
  TOPICS,
  totalsCalculatedSchema,
} from '../../shared/contract';
import { MalformedCounter, subscribeValidated } from '../../shared/events';
import type { Logger } from '../../shared/logger';
import type { LiveState, LocationView, Part } from '../model/live-state';
import type { Queries } from './queries';
import { locationsSchema, marketPricesSchema } from './results';
import { REGIONS, type Region } from '../../shared/env';

/** Polls between two `get_locations` (6 × 5 s). */
const LOCATIONS_EVERY = 6;

export type QueriesState = 'unknown' | 'ok' | 'down';

export interface LiveFeedOptions {
  state: LiveState;
  queries: Queries;
  log: Logger;
  /** Called with the parts an event or an answer changed. */
  changed: (parts: Part[]) => void;
  /** Called when the queries start or stop answering. */
  queriesChanged: (state: QueriesState, problem: string | null) => void;
  pollMs?: number;
}

export class LiveFeed {
  readonly malformed = new MalformedCounter();
  /** Events applied, per topic (the bench reads them). */
  readonly applied = new Map<string, number>();
  queriesState: QueriesState = 'unknown';
  private hadAnswers = false;
  queriesProblem: string | null = null;
  private subscriptions: Subscription[] = [];
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private polls = 0;

  constructor(private readonly o: LiveFeedOptions) {}

  /** Subscribes on a fresh client (the client restores these after a reconnect). */
  async subscribe(client: GatewayClient): Promise<void> {
    const { state, log } = this.o;
    const on = <S extends z.ZodType>(topic: string, schema: S, apply: (e: z.output<S>) => Part[]) =>
      subscribeValidated(client, topic, schema, this.malformed, log, (e) => {
        this.applied.set(topic, (this.applied.get(topic) ?? 0) + 1);
        const parts = apply(e);
        if (parts.length > 0) this.o.changed(parts);
      });
    this.subscriptions = await Promise.all([
      on(TOPICS.timeAdvanced, timeAdvancedSchema, (e) => state.timeAdvanced(e)),
      on(TOPICS.stateChanged, stateChangedSchema, (e) => state.stateChanged(e)),
      on(TOPICS.reset, resetSchema, (e) => state.reset(e.new_start_time)),
      on(TOPICS.totalsCalculated, totalsCalculatedSchema, (e) => state.totals(e)),
      on(TOPICS.historyUpdated, historyUpdatedSchema, (e) => state.historyUpdated(e)),
      on(TOPICS.providerMetricsCalculated, providerMetricsCalculatedSchema, (e) => state.providerMetrics(e)),
      on(TOPICS.cityMeasured, cityMeasuredSchema, (e) => state.cities(e)),
      on(TOPICS.metricsThroughput, metricsThroughputSchema, (e) => state.throughputMeasured(e)),
      on(TOPICS.homeInitialized, homeInitializedSchema, (e) => state.homeInitialized(e)),
    ]);
  }

  /** Polls the queries now and every `pollMs` after. */
  startPolling(): void {
    void this.poll(true);
    this.timer = setInterval(() => void this.poll(false), this.o.pollMs ?? 5000);
    this.timer.unref();
  }

  /** Asks the queries for the overview and regions (and, the first time, prices and locations). */
  async poll(first: boolean): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    const { state, queries } = this.o;
    try {
      const [overview, regions] = await Promise.all([
        queries.ask('get_overview', undefined, overviewSchema),
        queries.ask('get_region_summary', undefined, regionSummarySchema),
      ]);
      const parts = [...state.overviewAnswered(overview), ...state.regionSummary(regions)];
      const fresh = first || this.queriesState !== 'ok';
      if (fresh)
        parts.push(
          ...state.marketPrices(
            (await queries.ask('get_market_prices', { hours: 48 }, marketPricesSchema)).prices,
          ),
        );
      // Homes join the read side over time: the map's places are asked again every LOCATIONS_EVERY polls.
      if (fresh || this.polls % LOCATIONS_EVERY === 0) {
        const locations = await queries.ask('get_locations', undefined, locationsSchema);
        parts.push(...state.locationsAnswered(placed(locations.locations)));
      }
      this.polls++;
      this.o.changed(parts);
      this.setQueries('ok', null);
    } catch (err) {
      this.setQueries('down', (err as Error).message);
    } finally {
      this.polling = false;
    }
  }

  private setQueries(s: QueriesState, problem: string | null): void {
    const changed = s !== this.queriesState;
    this.queriesState = s;
    this.queriesProblem = problem;
    if (changed) {
      // Losing answers we had is worth a warning; not having them yet while the run starts is not.
      if (s === 'down' && this.hadAnswers) this.o.log.warn({ problem }, 'queries not answering');
      else if (s === 'down') this.o.log.info({ problem }, 'waiting for the queries to answer');
      if (s === 'ok') this.hadAnswers = true;
      this.o.queriesChanged(s, problem);
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all(this.subscriptions.splice(0).map((s) => s.unsubscribe().catch(() => undefined)));
  }
}

/** Locations with coordinates and a known region: what the map can draw. */
function placed(
  list: ReadonlyArray<{
    city: string;
    region: string | null;
    homes: number;
    latitude: number | null;
    longitude: number | null;
  }>,
): LocationView[] {
  return list
    .filter(
      (l) =>
        l.latitude !== null &&
        l.longitude !== null &&
        (REGIONS as readonly string[]).includes(l.region ?? ''),
    )
    .map((l) => ({
      city: l.city,
      region: l.region as Region,
      homes: l.homes,
      latitude: l.latitude!,
      longitude: l.longitude!,
    }));
}
