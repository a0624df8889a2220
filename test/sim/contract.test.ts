/**
 * One typed contract: every event the apps publish in a simulated stretch of the market parses with
 * its topic's schema from apps/shared/contract, and every topic the market publishes is exercised.
 */
import { EVENT_SCHEMAS, schemaFor, TOPICS, type Topic } from '../../apps/shared/contract';
import { runMarketYear } from '../../tools/calibration/market-year';

describe('the event contract against what the apps publish', () => {
  const seen = new Map<string, Record<string, unknown>[]>();

  beforeAll(async () => {
    await runMarketYear({
      seed: 'contract',
      homesPerRegion: 3,
      days: 150,
      tickHours: 24,
      // Homes act on savings often, so switches, renewals and expiries all happen within the stretch.
      propensity: 0.3,
      observe: (topic, payload) => {
        let list = seen.get(topic);
        if (!list) seen.set(topic, (list = []));
        list.push(payload);
      },
    });
  }, 120_000);

  const published: Topic[] = [
    TOPICS.timeAdvanced,
    TOPICS.homeInitialized,
    TOPICS.homeConnected,
    TOPICS.homeMeasured,
    TOPICS.homeTraded,
    TOPICS.homeBilled,
    TOPICS.balanceUpdated,
    TOPICS.contractSwitched,
    TOPICS.contractExpired,
    TOPICS.contractProposed,
    TOPICS.spotPriceUpdated,
    TOPICS.contractConfirmed,
    TOPICS.homeDisconnected,
  ];

  it.each(published)('%s is published and every payload matches its schema', (topic) => {
    const events = seen.get(topic) ?? [];
    expect(events.length).toBeGreaterThan(0);
    const schema = EVENT_SCHEMAS[topic];
    for (const e of events) {
      const r = schema.safeParse(e);
      if (!r.success) throw new Error(`${topic}: ${JSON.stringify(r.error.issues[0])}`);
    }
  });

  it('publishes no topic outside the contract, and event ids are unique', () => {
    for (const topic of seen.keys()) expect(schemaFor(topic)).toBeDefined();
    const ids = [...seen.values()].flat().map((e) => e.event_id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('ticks carry the weather of every day and the price of every hour they cover', () => {
    for (const t of seen.get(TOPICS.timeAdvanced) ?? []) {
      const parsed = EVENT_SCHEMAS[TOPICS.timeAdvanced].parse(t);
      const from = Date.parse(parsed.previous_simulation_time);
      const to = Date.parse(parsed.simulation_time);
      const hours = new Set(parsed.prices.map((p) => Date.parse(p.hour)));
      for (let h = Math.floor(from / 3.6e6) * 3.6e6; h < to; h += 3.6e6) expect(hours.has(h)).toBe(true);
      const days = new Set(parsed.weather.map((w) => `${w.date}:${w.region}`));
      for (let d = Math.floor(from / 864e5) * 864e5; d < to; d += 864e5) {
        for (const region of ['antwerp', 'brabant', 'east-flanders']) {
          expect(days.has(`${new Date(d).toISOString().slice(0, 10)}:${region}`)).toBe(true);
        }
      }
    }
  });
});
