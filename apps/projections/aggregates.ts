/**
 * The aggregates the projections publish (docs/read-side.md, "Aggregates") on their own timers: totals (500 ms),
 * history (2 s), provider metrics (2 s), cities (5 s, also refreshing region_stats), throughput
 * (1 s, also sampled into metrics_timeseries with the totals, kept for METRICS_RETENTION_H).
 * A failed round (database away) is logged once per outage and tried again on the next tick.
 */
import type { Pool } from 'pg';
import type { GatewayClient } from '../../gateway/client';
import { TOPICS, type PayloadOf, type Topic } from '../shared/contract';
import { readOverview } from '../shared/db/overview';
import { envelope } from '../shared/events';
import type { Logger } from '../shared/logger';
import type { IngestQueue } from './ingest';
import { providerMetrics } from './model/providers';

export interface AggregateOptions {
  totalsMs: number;
  historyMs: number;
  providersMs: number;
  citiesMs: number;
  throughputMs: number;
  retentionHours: number;
}

export const DEFAULT_AGGREGATES: AggregateOptions = {
  totalsMs: 500,
  historyMs: 2000,
  providersMs: 2000,
  citiesMs: 5000,
  throughputMs: 1000,
  retentionHours: 24,
};

/** Points of the history aggregate (one per throughput sample). */
const HISTORY_POINTS = 120;

export class Aggregates {
  private timers: NodeJS.Timeout[] = [];
  private readonly shares = new Map<string, number>();
  private lastCommitted = 0;
  private lastMeasured = 0;
  private lastSample = Date.now();
  private failing = false;
  published = 0;

  constructor(
    private readonly pool: Pool,
    private readonly client: GatewayClient,
    private readonly ingest: IngestQueue,
    private readonly log: Logger,
    private readonly options: AggregateOptions = DEFAULT_AGGREGATES,
  ) {}

  start(): void {
    const every = (ms: number, f: () => Promise<void>) => {
      let busy = false;
      const t = setInterval(() => {
        if (busy) return;
        busy = true;
        f()
          .then(() => (this.failing = false))
          .catch((err: unknown) => {
            if (!this.failing) this.log.warn({ err: (err as Error).message }, 'aggregates skipped');
            this.failing = true;
          })
          .finally(() => (busy = false));
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.options.totalsMs, () => this.totals());
    every(this.options.throughputMs, () => this.throughput());
    every(this.options.historyMs, () => this.history());
    every(this.options.providersMs, () => this.providers());
    every(this.options.citiesMs, () => this.cities());
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  private async simulationMs(): Promise<number> {
    const r = await this.pool.query('SELECT simulation_time FROM system_stats WHERE id = 1');
    const t = r.rows[0]?.simulation_time as Date | null | undefined;
    return t ? t.getTime() : Date.now();
  }

  private async publish<T extends Topic>(topic: T, payload: PayloadOf<T>, simMs?: number): Promise<void> {
    await this.client.publish(topic, envelope(simMs ?? (await this.simulationMs()), payload), {
      excludeMe: true,
    });
    this.published++;
  }

  async totals(): Promise<void> {
    const o = await readOverview(this.pool);
    const { simulation_time, speed: _s, paused: _p, day_ahead_eur_per_kwh: _d, ...totals } = o;
    await this.publish(
      TOPICS.totalsCalculated,
      totals,
      simulation_time ? Date.parse(simulation_time) : undefined,
    );
  }

  /** Throughput of the last interval, and a sample of the figures into metrics_timeseries. */
  async throughput(): Promise<void> {
    const now = Date.now();
    const seconds = Math.max(0.001, (now - this.lastSample) / 1000);
    const events_per_s = (this.ingest.committed - this.lastCommitted) / seconds;
    const measurements_per_s = (this.ingest.measured - this.lastMeasured) / seconds;
    this.lastSample = now;
    this.lastCommitted = this.ingest.committed;
    this.lastMeasured = this.ingest.measured;
    const o = await readOverview(this.pool);
    const lag = Math.max(this.ingest.lagNowMs(), this.ingest.lastLagMs);
    const sample: Record<string, number | null> = {
      events_per_s,
      measurements_per_s,
      homes_online: o.connected_homes,
      projection_lag_ms: lag,
      production_w: o.production_w,
      consumption_w: o.consumption_w,
      avg_battery_pct: o.avg_battery_pct,
      day_ahead_eur_per_kwh: o.day_ahead_eur_per_kwh,
    };
    const entries = Object.entries(sample).filter((e): e is [string, number] => e[1] !== null);
    await this.pool.query(
      `INSERT INTO metrics_timeseries (metric, recorded_at, simulation_time, value)
       SELECT m, $3, $4, v FROM unnest($1::text[], $2::float8[]) AS x(m, v)
       ON CONFLICT (metric, recorded_at) DO NOTHING`,
      [entries.map((e) => e[0]), entries.map((e) => e[1]), new Date(now), o.simulation_time],
    );
    await this.pool.query(
      `DELETE FROM metrics_timeseries WHERE recorded_at < now() - make_interval(hours => $1)`,
      [this.options.retentionHours],
    );
    await this.publish(
      TOPICS.metricsThroughput,
      {
        events_per_s,
        measurements_per_s,
        homes_online: o.connected_homes,
        projection_lag_ms: Math.max(0, lag),
      },
      o.simulation_time ? Date.parse(o.simulation_time) : undefined,
    );
  }

  async history(): Promise<void> {
    const r = await this.pool.query(
      `SELECT recorded_at, simulation_time,
              max(value) FILTER (WHERE metric = 'production_w') AS production_w,
              max(value) FILTER (WHERE metric = 'consumption_w') AS consumption_w,
              max(value) FILTER (WHERE metric = 'avg_battery_pct') AS avg_battery_pct,
              max(value) FILTER (WHERE metric = 'day_ahead_eur_per_kwh') AS day_ahead
         FROM metrics_timeseries
        WHERE recorded_at > now() - interval '10 minutes' AND simulation_time IS NOT NULL
        GROUP BY recorded_at, simulation_time ORDER BY recorded_at DESC LIMIT $1`,
      [HISTORY_POINTS],
    );
    const points = r.rows.reverse().map((row) => ({
      simulation_time: (row.simulation_time as Date).toISOString(),
      production_w: Number(row.production_w ?? 0),
      consumption_w: Number(row.consumption_w ?? 0),
      avg_battery_pct: Number(row.avg_battery_pct ?? 0),
      day_ahead_eur_per_kwh: row.day_ahead === null ? null : Number(row.day_ahead),
    }));
    await this.publish(TOPICS.historyUpdated, { points });
  }

  async providers(): Promise<void> {
    const r = await this.pool.query(
      `SELECT p.provider_id, coalesce(p.provider_name, p.provider_id) AS provider_name, p.contract_type,
              p.offer, s.day_ahead_eur_per_kwh, coalesce(c.customers, 0) AS customers
         FROM provider_states p
         CROSS JOIN system_stats s
         LEFT JOIN (SELECT provider_id, count(*) AS customers FROM home_states GROUP BY provider_id) c
           ON c.provider_id = p.provider_id`,
    );
    const figures = r.rows.map((row) => {
      const offer = row.offer as Record<string, number> | null;
      let price: number | null = null;
      if (offer && row.contract_type === 'static') price = (offer.day_buy_price + offer.night_buy_price) / 2;
      else if (offer && row.contract_type === 'dynamic' && row.day_ahead_eur_per_kwh !== null)
        price = Number(row.day_ahead_eur_per_kwh) + offer.buy_markup;
      return {
        provider_id: row.provider_id as string,
        provider_name: row.provider_name as string,
        customers: Number(row.customers),
        price,
      };
    });
    const metrics = providerMetrics(figures, this.shares);
    for (const m of metrics) this.shares.set(m.provider_id, m.market_share);
    await this.publish(TOPICS.providerMetricsCalculated, { providers: metrics });
  }

  /** Cities (published) and region_stats (stored) from the same scan. */
  async cities(): Promise<void> {
    const r = await this.pool.query(
      `SELECT city, region, count(*) AS homes,
              coalesce(sum(production_w) FILTER (WHERE connected), 0) AS production_w,
              coalesce(sum(consumption_w) FILTER (WHERE connected), 0) AS consumption_w
         FROM home_states WHERE city IS NOT NULL AND region IS NOT NULL
        GROUP BY city, region ORDER BY region, city`,
    );
    await this.pool.query(
      `INSERT INTO region_stats AS r (region, total_homes, connected_homes, production_w, consumption_w,
                                      avg_battery_pct, contract_switches, avg_bill_eur_per_month, refreshed_at)
       SELECT h.region, count(*), count(*) FILTER (WHERE connected),
              coalesce(sum(production_w) FILTER (WHERE connected), 0),
              coalesce(sum(consumption_w) FILTER (WHERE connected), 0),
              avg(state_of_charge_pct) FILTER (WHERE battery_capacity_kwh > 0),
              (SELECT count(*) FROM contract_switches c WHERE c.region = h.region),
              (SELECT avg(total) FROM home_bills b WHERE b.region = h.region),
              now()
         FROM home_states h WHERE h.region IS NOT NULL GROUP BY h.region
       ON CONFLICT (region) DO UPDATE SET total_homes = EXCLUDED.total_homes,
         connected_homes = EXCLUDED.connected_homes, production_w = EXCLUDED.production_w,
         consumption_w = EXCLUDED.consumption_w, avg_battery_pct = EXCLUDED.avg_battery_pct,
         contract_switches = EXCLUDED.contract_switches,
         avg_bill_eur_per_month = EXCLUDED.avg_bill_eur_per_month, refreshed_at = EXCLUDED.refreshed_at`,
    );
    const cities = r.rows.map((row) => ({
      city: row.city as string,
      region: row.region,
      homes: Number(row.homes),
      production_w: Number(row.production_w),
      consumption_w: Number(row.consumption_w),
    }));
    await this.publish(TOPICS.cityMeasured, { cities });
  }
}
