/** Contract projection and switching rules of domain.md §3. */
import type { Offer } from '../../apps/shared/messages';
import type { Contract, SpotQuote } from '../../apps/homes/model/contract';
import type { AnnualProfile } from '../../apps/homes/model/profile';
import { UsageProfile } from '../../apps/homes/model/profile';
import { emptyTotals } from '../../apps/homes/model/physics';
import {
  decideDaily,
  projectAnnualCost,
  savings,
  type DecisionInput,
} from '../../apps/homes/model/projection';
import { DAY_MS, HOUR_MS } from '../../apps/homes/model/time';

const NOW = Date.parse('2025-06-01T00:00:00Z');
const SPOT: SpotQuote = { buy: 0.1, sell: 0.08 };

function staticOffer(
  provider: string,
  dayBuy: number,
  nightBuy: number,
  daySell: number,
  nightSell: number,
  extra: Partial<Offer> = {},
): Offer {
  return {
    offer_id: `${provider}-o1`,
    provider_id: provider,
    provider_name: provider,
    strategy: 'steady_eddie',
    region: 'antwerp',
    duration_months: 12,
    switching_discount: 0,
    minimum_monthly_kwh: 0,
    valid_from: NOW,
    contract_type: 'static',
    day_buy_price: dayBuy,
    night_buy_price: nightBuy,
    day_sell_price: daySell,
    night_sell_price: nightSell,
    ...extra,
  } as Offer;
}

const contractOf = (offer: Offer, endMs = NOW + 200 * DAY_MS): Contract => ({
  contract_id: `${offer.provider_id}-c1`,
  provider_id: offer.provider_id,
  offer,
  startMs: endMs - 360 * DAY_MS,
  endMs,
});

const nightHeavy: AnnualProfile = {
  importDayKwh: 500,
  importNightKwh: 3000,
  exportDayKwh: 200,
  exportNightKwh: 0,
  observedHours: 720,
};
const solarHeavy: AnnualProfile = {
  importDayKwh: 300,
  importNightKwh: 1200,
  exportDayKwh: 4000,
  exportNightKwh: 0,
  observedHours: 720,
};

const steady = staticOffer('steady', 0.15, 0.12, 0.1, 0.08);
const nightOwl = staticOffer('owl', 0.22, 0.06, 0.12, 0.04);
const surfer = staticOffer('surfer', 0.19, 0.13, 0.14, 0.05);

function input(overrides: Partial<DecisionInput>): DecisionInput {
  return {
    nowMs: NOW,
    contract: contractOf(steady),
    offers: [steady, nightOwl, surfer],
    profile: nightHeavy,
    spotFor: () => SPOT,
    thresholdEur: 50,
    lastSwitchMs: null,
    ...overrides,
  };
}

describe('projectAnnualCost', () => {
  it('prices the profile with the offer: day/night import minus export', () => {
    expect(projectAnnualCost(steady, nightHeavy, SPOT)).toBeCloseTo(500 * 0.15 + 3000 * 0.12 - 200 * 0.1, 9);
  });

  it('prices a dynamic offer from the provider spot ± markup/markdown', () => {
    const dyn = { ...steady, contract_type: 'dynamic', buy_markup: 0.02, sell_markdown: 0.03 } as Offer;
    expect(projectAnnualCost(dyn, nightHeavy, SPOT)).toBeCloseTo(3500 * 0.12 - 200 * 0.05, 9);
  });
});

describe('decideDaily', () => {
  it('prefers the offer that is cheaper for the home’s own profile', () => {
    const night = decideDaily(input({ profile: nightHeavy }));
    expect(night).toMatchObject({ kind: 'switch', offer: { provider_id: 'owl' } });
    const solar = decideDaily(input({ profile: solarHeavy }));
    expect(solar).toMatchObject({ kind: 'switch', offer: { provider_id: 'surfer' } });
  });

  it('reports savings with the 20 % commission', () => {
    const d = decideDaily(input({}));
    if (d.kind !== 'switch') throw new Error('expected a switch');
    const baseline = projectAnnualCost(steady, nightHeavy, SPOT);
    const cost = projectAnnualCost(nightOwl, nightHeavy, SPOT);
    expect(d.savings.baseline_cost).toBeCloseTo(baseline, 9);
    expect(d.savings.new_cost).toBeCloseTo(cost, 9);
    expect(d.savings.commission).toBeCloseTo(0.2 * d.savings.gross_savings, 9);
    expect(d.savings.net_savings).toBeCloseTo(0.8 * d.savings.gross_savings, 9);
  });

  it('respects the threshold: a saving at or under it does not switch', () => {
    const cheaper = staticOffer('cheaper', 0.149, 0.119, 0.1, 0.08); // saves 0.5 + 3 = 3.5 €/year
    expect(decideDaily(input({ offers: [cheaper], thresholdEur: 50 })).kind).toBe('stay');
    expect(decideDaily(input({ offers: [cheaper], thresholdEur: 3 })).kind).toBe('switch');
  });

  it('adds the switching discount only when switching at least one day before expiry', () => {
    const withDiscount = staticOffer('disc', 0.15, 0.12, 0.1, 0.08, { switching_discount: 75 }); // same prices
    const early = decideDaily(
      input({ offers: [withDiscount], contract: contractOf(steady, NOW + 2 * DAY_MS) }),
    );
    expect(early).toMatchObject({ kind: 'switch', savings: { discount: 75 } });
    const late = decideDaily(
      input({ offers: [withDiscount], contract: contractOf(steady, NOW + 12 * HOUR_MS) }),
    );
    expect(late.kind).toBe('stay');
  });

  it('switches at most once per 30 simulated days', () => {
    expect(decideDaily(input({ lastSwitchMs: NOW - 29 * DAY_MS })).kind).toBe('stay');
    expect(decideDaily(input({ lastSwitchMs: NOW - 30 * DAY_MS })).kind).toBe('switch');
  });

  it('ignores an offer whose minimum monthly volume the home does not reach', () => {
    const big = staticOffer('big', 0.01, 0.01, 0.2, 0.2, { minimum_monthly_kwh: 1000 });
    expect(decideDaily(input({ offers: [big] })).kind).toBe('stay');
  });

  it('at expiry renews with the current provider when its offer is the best', () => {
    const d = decideDaily(input({ offers: [steady, surfer], contract: contractOf(steady, NOW) }));
    expect(d).toMatchObject({ kind: 'renew', offer: { provider_id: 'steady' } });
  });

  it('at expiry switches to the best offer even under the threshold, and buys at spot without offers', () => {
    const d = decideDaily(
      input({ offers: [nightOwl], contract: contractOf(steady, NOW - 1), thresholdEur: 1e6 }),
    );
    expect(d).toMatchObject({ kind: 'switch', offer: { provider_id: 'owl' }, savings: { discount: 0 } });
    expect(decideDaily(input({ offers: [], contract: contractOf(steady, NOW - 1) })).kind).toBe('spot');
  });

  it('from spot, takes the best offer as soon as it beats spot', () => {
    const expensive = staticOffer('exp', 0.5, 0.5, 0, 0);
    expect(decideDaily(input({ contract: null, offers: [expensive] })).kind).toBe('stay');
    expect(decideDaily(input({ contract: null, offers: [expensive, nightOwl] })).kind).toBe('switch');
  });
});

describe('savings', () => {
  it('takes no commission on a loss', () => {
    expect(savings(100, 120, 0)).toMatchObject({ gross_savings: -20, commission: 0, net_savings: -20 });
  });
});

describe('UsageProfile', () => {
  it('annualises the last 30 days and needs a full day first', () => {
    const p = new UsageProfile();
    const t = { ...emptyTotals(), importDayKwh: 2, importNightKwh: 4, exportDayKwh: 6 };
    p.add(0, 0, 12 * HOUR_MS, t);
    expect(p.annual()).toBeNull();
    p.add(0, 12 * HOUR_MS, 24 * HOUR_MS, t);
    expect(p.annual()).toMatchObject({
      importDayKwh: 4 * 365,
      importNightKwh: 8 * 365,
      exportDayKwh: 12 * 365,
    });
    for (let d = 1; d <= 40; d++)
      p.add(d, d * DAY_MS, (d + 1) * DAY_MS, { ...emptyTotals(), importDayKwh: 1 });
    expect(p.annual()!.observedHours).toBe(30 * 24);
    expect(p.annual()!.importNightKwh).toBe(0);
  });
});
