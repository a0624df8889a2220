/**
 * A stand-in for the projections' published aggregates (so the dashboard's tests need no
 * projections): every period it publishes `totals_calculated`, `metrics.throughput`, `provider.metrics_calculated` and
 * `city.measured` from the stand-in read side's homes, with production following the sun at the
 * clock's simulated time, as the real aggregates would.
 */
import type { GatewayClient } from '../../gateway/client';
import { TOPICS, type PayloadOf } from '../../apps/shared/contract';
import { envelope } from '../../apps/shared/events';
import { consumptionAt, productionAt, type FakeReadSide } from './fake-read-side';
import { wattsPerKwp } from './fixture-sun';

export function startAggregates(
  publisher: GatewayClient,
  readSide: FakeReadSide,
  simMs: () => number,
  periodMs = 500,
): { stop(): void } {
  let n = 0;
  const publish = (topic: string, payload: object) =>
    publisher.publish(topic, envelope(simMs(), payload)).catch(() => undefined);
  const timer = setInterval(() => {
    n++;
    const t = simMs();
    // Batteries fill with the sun: 0 at night, 1 at a midsummer noon (solar noon in Brussels is 11:42 UTC).
    const sun = wattsPerKwp(t) / wattsPerKwp(Date.UTC(2025, 5, 21, 11, 42));
    const homes = readSide.homes;
    const o = readSide.overview();
    const production = homes.reduce((s, h) => s + productionAt(h, t), 0);
    const consumption = homes.reduce((s, h) => s + consumptionAt(h, t), 0);
    const { simulation_time: _t, speed: _s, paused: _p, day_ahead_eur_per_kwh: _d, ...figures } = o;
    const totals: PayloadOf<typeof TOPICS.totalsCalculated> = {
      ...figures,
      production_w: Math.round(production),
      consumption_w: Math.round(consumption),
      avg_battery_pct: 40 + 30 * sun,
      energy_bought_kwh: o.energy_bought_kwh + n * 3.5,
      energy_sold_kwh: o.energy_sold_kwh + n * 1.2,
    };
    void publish(TOPICS.totalsCalculated, totals);
    void publish(TOPICS.metricsThroughput, {
      events_per_s: homes.length * 4 + (n % 7) * 10,
      measurements_per_s: homes.length * 2,
      homes_online: o.connected_homes,
      projection_lag_ms: 20 + (n % 5) * 4,
    } satisfies PayloadOf<typeof TOPICS.metricsThroughput>);
    if (n % 4 === 1) {
      const ids = [...new Set(homes.map((h) => h.provider_id))];
      const counts = ids.map((id) => homes.filter((h) => h.provider_id === id).length);
      const order = ids.map((id, i) => ({ id, c: counts[i] })).sort((a, b) => b.c - a.c);
      void publish(TOPICS.providerMetricsCalculated, {
        providers: order.map((p, i) => ({
          provider_id: p.id,
          provider_name: p.id.toUpperCase(),
          customers: p.c,
          market_share: p.c / homes.length,
          rank: i + 1,
          trend: (['up', 'flat', 'down'] as const)[i % 3],
          competitiveness: 1 - i * 0.1,
        })),
      } satisfies PayloadOf<typeof TOPICS.providerMetricsCalculated>);
      const cities = new Map<string, PayloadOf<typeof TOPICS.cityMeasured>['cities'][number]>();
      for (const h of homes) {
        const c = cities.get(h.city) ?? {
          city: h.city,
          region: h.region,
          homes: 0,
          production_w: 0,
          consumption_w: 0,
        };
        c.homes++;
        c.production_w += productionAt(h, t);
        c.consumption_w += consumptionAt(h, t);
        cities.set(h.city, c);
      }
      void publish(TOPICS.cityMeasured, { cities: [...cities.values()] });
    }
  }, periodMs);
  return { stop: () => clearInterval(timer) };
}
