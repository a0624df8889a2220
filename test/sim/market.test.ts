/** Pricing, providers and the three apps together on the in-memory bus (domain.md §3–4). */
import { createRng } from '../../apps/shared/rng';
import { marketSpotPrice, reactToShare, makeOffer } from '../../apps/utilities/model/pricing';
import { PRESETS } from '../../apps/utilities/model/strategies';
import { Provider } from '../../apps/utilities/provider';
import { TOPICS } from '../../apps/shared/topics';
import { FakeBus } from './fake-bus';
import { bargain, startScenario, type Scenario } from './scenario';

describe('market spot price', () => {
  it('is 0.10 × (1 + u²) with u = net demand kW / 1000, clamped to [0.01, 1.00]', () => {
    expect(marketSpotPrice(0)).toBeCloseTo(0.1, 12);
    expect(marketSpotPrice(500)).toBeCloseTo(0.125, 12);
    expect(marketSpotPrice(-500)).toBeCloseTo(0.125, 12);
    expect(marketSpotPrice(5000)).toBe(1);
  });
});

describe('market-share reaction', () => {
  it('lowers the next offer by up to 5 % below target and raises it by up to 5 % above', () => {
    expect(reactToShare(1, 0, 0.2)).toBeCloseTo(0.95, 12);
    expect(reactToShare(1, 0.1, 0.2)).toBeCloseTo(0.975, 12);
    expect(reactToShare(1, 0.9, 0.2)).toBeCloseTo(1.05, 12);
    expect(reactToShare(1, 0.2, 0.2)).toBe(1);
    let f = 1;
    for (let i = 0; i < 100; i++) f = reactToShare(f, 0, 0.2);
    expect(f).toBe(0.7);
  });

  it('a provider without customers offers lower prices each period', () => {
    const p = new Provider(bargain, 'x');
    const first = p.maybeOffer(0, 0, 5)!;
    expect(p.maybeOffer(3_600_000, 0, 5)).toBeNull(); // same 12-hour period
    const second = p.maybeOffer(12 * 3_600_000, 0, 5)!;
    if (first.contract_type !== 'static' || second.contract_type !== 'static')
      throw new Error('static expected');
    expect(second.day_buy_price / first.day_buy_price).toBeCloseTo(0.95, 4);
  });

  it('draws static or dynamic offers by the strategy mix', () => {
    const rng = createRng(1);
    const kinds = Array.from(
      { length: 20 },
      (_, i) =>
        makeOffer({
          offerId: `o${i}`,
          providerId: 'k',
          providerName: 'K',
          strategy: 'discount_king',
          region: 'antwerp',
          terms: PRESETS.discount_king,
          factor: 1,
          validFromMs: 0,
          rng,
        }).contract_type,
    );
    expect(new Set(kinds)).toEqual(new Set(['dynamic']));
  });
});

describe('accept_offer rules', () => {
  it('accepts only the latest offer and frees a contract when the home leaves', () => {
    const p = new Provider(bargain, 'x');
    const o1 = p.maybeOffer(0, null, 1)!;
    const o2 = p.maybeOffer(12 * 3_600_000, null, 1)!;
    expect(p.accept('h1', o1.offer_id, 0)).toEqual({ success: false, reason: 'offer_superseded' });
    const ok = p.accept('h1', o2.offer_id, 1000);
    expect(ok).toMatchObject({
      success: true,
      contract: { home_id: 'h1', startMs: 1000, endMs: 1000 + 360 * 86_400_000 },
    });
    expect(p.release('h1', 'other-contract')).toBe(false);
    expect(p.release('h1')).toBe(true);
    expect(p.contracts.size).toBe(0);
  });
});

describe('apps on the in-memory bus', () => {
  const bus = new FakeBus();
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario(
      {
        simulation: bus.client(),
        homes: bus.client(),
        antwerp: bus.client(),
        brabant: bus.client(),
        observer: bus.client(),
      },
      async (sc) => {
        await bus.drain();
        await sc.homes.idle();
        await bus.drain();
      },
    );
  });
  afterAll(() => s.stop());

  it('homes take a first contract, then switch across regions to the cheaper provider', async () => {
    await s.tick();
    await s.tick();
    expect(s.homes.homes.every((h) => h.contract?.provider_id === 'pricey')).toBe(true);
    expect(s.of(TOPICS.homeInitialized)).toHaveLength(3);
    await s.brabant.start();
    for (let i = 0; i < 3; i++) await s.tick();
    const switched = s.of(TOPICS.contractSwitched);
    expect(switched).toHaveLength(3);
    for (const e of switched) {
      expect(e).toMatchObject({ old_provider_id: 'pricey', new_provider_id: 'bargain', discount: 20 });
      expect(e.commission as number).toBeCloseTo(0.2 * (e.gross_savings as number), 9);
      expect(e.net_savings as number).toBeCloseTo(0.8 * (e.gross_savings as number), 9);
      expect(e.gross_savings as number).toBeGreaterThan(50);
      expect(typeof e.event_id).toBe('string');
    }
    expect(s.of(TOPICS.contractConfirmed)).toHaveLength(3);
    expect(s.homes.homes.every((h) => h.contract?.provider_id === 'bargain')).toBe(true);
    expect(s.brabant.providers[0].contracts.size).toBe(3);
  });

  it('publishes measured, traded (one per tick with hourly entries) and balance events', () => {
    const traded = s.of(TOPICS.homeTraded);
    expect(traded.length).toBe(3 * 4); // the first tick only sets the baseline
    const hours = traded.at(-1)!.hours as Record<string, unknown>[];
    expect(hours.length).toBeGreaterThanOrEqual(29);
    expect(hours[0]).toEqual(
      expect.objectContaining({ grid_import_kwh: expect.any(Number), is_day: expect.any(Boolean) }),
    );
    const measured = s.of(TOPICS.homeMeasured).at(-1)!;
    expect(measured).toMatchObject({ region: 'antwerp', provider_id: 'bargain', tariff: expect.any(Number) });
    expect(s.of(TOPICS.balanceUpdated).length).toBeGreaterThan(0);
    expect(s.of(TOPICS.spotPriceUpdated).length).toBeGreaterThan(0);
    // Every event carries a unique event_id and a simulation_time.
    const ids = s.events.filter((e) => e.topic !== TOPICS.timeAdvanced).map((e) => e.payload.event_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(s.events.every((e) => typeof e.payload.simulation_time === 'string')).toBe(true);
  });

  it('counts and logs malformed events without crashing', async () => {
    const before = s.homes.malformed.total;
    bus.inject(TOPICS.timeAdvanced, { simulation_time: 'yesterday', speed: 1, paused: false, tick: 1 });
    bus.inject(TOPICS.contractProposed, { offer_id: 'x', contract_type: 'static' });
    bus.inject(TOPICS.spotPriceUpdated, 'not an object');
    bus.inject(TOPICS.homeMeasured, { home_id: 'h', power_w: 'lots' });
    await bus.drain();
    expect(s.homes.malformed.total).toBe(before + 3);
    expect(s.antwerp.malformed.get(TOPICS.homeMeasured)).toBe(1);
    await s.tick(); // still alive
    expect(s.homes.stats.ticks).toBeGreaterThan(0);
  });

  it('accept_offer validates its arguments and rejects a superseded offer', async () => {
    const caller = bus.client();
    await expect(
      caller.call('be.cortexiq.provider.bargain.accept_offer', { home_id: 7 }),
    ).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    const r = await caller.call('be.cortexiq.provider.bargain.accept_offer', {
      home_id: 'h9',
      offer_id: 'old',
    });
    expect(r).toEqual({ success: false, reason: 'offer_superseded' });
    await bus.drain();
    expect(s.of(TOPICS.contractRejected).at(-1)).toMatchObject({ home_id: 'h9', reason: 'offer_superseded' });
  });
});
