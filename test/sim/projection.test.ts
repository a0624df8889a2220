/**
 * What a home pays and how it chooses (docs/domain.md, "What a home pays", "home.billed" and
 * "Contracts"): the monthly invoice worked out by hand, the yearly projection under each kind of
 * offer, the usage history it projects from, and the monthly and expiry decisions.
 */
import fc from 'fast-check';
import { hoursInMonth, invoice, emptyMonth, type MonthTotals } from '../../apps/homes/model/bill';
import type { Contract, Offer } from '../../apps/homes/model/contract';
import { UsageHistory, type AnnualUsage } from '../../apps/homes/model/history';
import {
  COMMISSION_RATE,
  decideAtExpiry,
  decideMonthly,
  isEligible,
  projectAnnualCost,
  savings,
  type DecisionInput,
} from '../../apps/homes/model/projection';
import type { NetworkTariff } from '../../apps/homes/network-tariffs';

/** Fluvius Antwerpen 2025 as in the shipped tariff file: 0.0545 + 0.0185 + 0.0503 + 0.0020 per kWh. */
const TARIFF: NetworkTariff = {
  region: 'antwerp',
  perKwh: 0.1253,
  capacityPerKwMonth: 4.35,
  minimumPeakKw: 2.5,
  dataFeePerYear: 17.85,
};

const base = {
  provider_name: 'P',
  strategy: 'steady_eddie' as const,
  region: 'antwerp' as const,
  duration_months: 12,
  switching_discount: 0,
  minimum_monthly_kwh: 0,
  valid_from: '2025-01-01T00:00:00.000Z',
};
function staticOffer(providerId: string, day: number, night: number, extra: Partial<Offer> = {}): Offer {
  return {
    ...base,
    offer_id: `${providerId}-o`,
    provider_id: providerId,
    contract_type: 'static',
    day_buy_price: day,
    night_buy_price: night,
    day_sell_price: 0.04,
    night_sell_price: 0.02,
    fixed_fee_per_year: 50,
    ...extra,
  } as Offer;
}
const contractOf = (offer: Offer): Contract => ({
  contract_id: `${offer.provider_id}-c`,
  provider_id: offer.provider_id,
  offer,
  startMs: 0,
  endMs: 1,
});

describe('monthly invoice (worked by hand)', () => {
  // April 2025 (720 h), fully covered: 200 kWh imported at 0.12 €/kWh energy, 150 kWh exported at
  // 0.035 €/kWh, a 1.8 kW peak (below the 2.5 kW minimum), supplier fee 50 €/year.
  const april: MonthTotals = {
    month: '2025-04',
    hours: 720,
    consumptionKwh: 300,
    productionKwh: 250,
    importKwh: 200,
    exportKwh: 150,
    peakKw: 1.8,
    energyCost: 200 * 0.12,
    networkCost: 200 * 0.1253,
    exportRevenue: 150 * 0.035,
  };

  it('charges capacity on the minimum peak, fixed fees pro rata, 6 % VAT, and subtracts export revenue', () => {
    // energy 24 + network 25.06 + capacity 4.35 × 2.5 = 10.875 + fixed (50 + 17.85) / 12 = 5.654167
    // = 65.589167; VAT 6 % = 3.93535; total 65.589167 + 3.93535 − 5.25 = 64.274517.
    expect(invoice(april, TARIFF, 50)).toEqual({
      month: '2025-04',
      consumption_kwh: 300,
      production_kwh: 250,
      self_consumed_kwh: 100,
      import_kwh: 200,
      export_kwh: 150,
      peak_kw: 1.8,
      energy_cost: 24,
      network_cost: 25.06,
      capacity_cost: 10.875,
      fixed_cost: 5.6542,
      vat: 3.9354,
      export_revenue: 5.25,
      total: 64.2745,
    });
  });

  it('charges capacity on a peak above the minimum, and half a month pays half the fixed parts', () => {
    const half = { ...april, hours: 360, peakKw: 4.2 };
    const bill = invoice(half, TARIFF, 50);
    // capacity 4.35 × 4.2 × 0.5 = 9.135; fixed 67.85 / 12 × 0.5 = 2.827083; VAT on 24 + 25.06 + both.
    expect(bill.capacity_cost).toBe(9.135);
    expect(bill.fixed_cost).toBe(2.8271);
    expect(bill.vat).toBe(3.6613); // 0.06 × (24 + 25.06 + 9.135 + 2.827083 = 61.022083) = 3.661325
    expect(bill.total).toBe(59.4334); // 61.022083 + 3.661325 − 5.25 = 59.433408
  });

  it('knows the length of calendar months', () => {
    expect(hoursInMonth('2025-02')).toBe(672);
    expect(hoursInMonth('2024-02')).toBe(696);
    expect(hoursInMonth('2025-12')).toBe(744);
    expect(hoursInMonth('2025-03')).toBe(743); // summer time starts
    expect(hoursInMonth('2025-10')).toBe(745); // and ends
    expect(invoice(emptyMonth('2025-05'), TARIFF, 0).total).toBe(0);
  });
});

// A year of a household with PV: 2,800 kWh imported (1,500 day, 1,300 night), 1,000 exported.
const USAGE: AnnualUsage = {
  importDay: 1500,
  importNight: 1300,
  exportDay: 900,
  exportNight: 100,
  importAtDayAhead: 2800 * 0.09,
  exportAtDayAhead: 1000 * 0.05,
  peakKw: 3,
  observedMonths: 12,
};

describe('projected yearly cost (worked by hand)', () => {
  it('prices a static offer by register, with network, capacity, fees and VAT', () => {
    // energy 1,500 × 0.13 + 1,300 × 0.09 = 312; network 2,800 × 0.1253 = 350.84; capacity
    // 12 × 4.35 × 3 = 156.6; fees 50 + 17.85; × 1.06 = 940.5274; minus export 900 × 0.04 + 100 × 0.02.
    expect(projectAnnualCost(staticOffer('a', 0.13, 0.09), USAGE, TARIFF)).toBeCloseTo(902.5274, 6);
    // Injection above the energy price is paid at the energy price only.
    const generous = staticOffer('a', 0.13, 0.09, { day_sell_price: 0.2 } as Partial<Offer>);
    expect(projectAnnualCost(generous, USAGE, TARIFF)).toBeCloseTo(902.5274 - 900 * (0.13 - 0.04), 6);
  });

  it('prices a dynamic offer and no contract from the day-ahead-weighted volumes', () => {
    const dynamic = {
      ...base,
      offer_id: 'd-o',
      provider_id: 'd',
      contract_type: 'dynamic',
      buy_markup: 0.02,
      sell_markdown: 0.015,
      fixed_fee_per_year: 60,
    } as Offer;
    // (252 + 56 + 350.84 + 156.6 + 77.85) × 1.06 − (50 − 15)
    expect(projectAnnualCost(dynamic, USAGE, TARIFF)).toBeCloseTo(911.8874, 6);
    // No contract: day-ahead ± 0.03, no supplier fee: (336 + 350.84 + 156.6 + 17.85) × 1.06 − 20.
    expect(projectAnnualCost(null, USAGE, TARIFF)).toBeCloseTo(892.9674, 6);
  });

  it('reports savings with a 20 % commission on what is gained', () => {
    expect(savings(900, 800, 25)).toEqual({
      baseline_cost: 900,
      new_cost: 800,
      discount: 25,
      gross_savings: 125,
      commission: 25,
      net_savings: 100,
    });
    expect(savings(800, 900, 0)).toMatchObject({ gross_savings: -100, commission: 0, net_savings: -100 });
    expect(COMMISSION_RATE).toBe(0.2);
  });

  it('publishes savings whose parts add up to the cent', () => {
    // 1000.004 - 366.345 leaves 633.659 gross: the commission and net must be
    // derived from the rounded gross, or net + commission misses it by a cent.
    for (const [base, cost, disc] of [
      [1000.004, 366.345, 0],
      [812.337, 500.111, 12.5],
      [77.775, 0.005, 0],
    ]) {
      const s = savings(base, cost, disc);
      expect(Math.round((s.net_savings + s.commission) * 100)).toBe(Math.round(s.gross_savings * 100));
      expect(s.commission).toBe(Math.round(s.gross_savings * 20) / 100);
    }
  });

  it('leaves out offers whose minimum monthly volume the home does not reach', () => {
    expect(isEligible(staticOffer('a', 0.1, 0.1, { minimum_monthly_kwh: 233 }), USAGE)).toBe(true);
    expect(isEligible(staticOffer('a', 0.1, 0.1, { minimum_monthly_kwh: 234 }), USAGE)).toBe(false);
  });
});

describe('usage history', () => {
  const fill = (h: UsageHistory, month: string, hours: number, importKwh: number, peak: number) => {
    const r = h.record(month);
    Object.assign(r, {
      hours,
      importDay: importKwh,
      importNight: importKwh / 2,
      exportDay: 10,
      peakKw: peak,
    });
  };

  it('has nothing to project from before a day of data', () => {
    const h = new UsageHistory();
    expect(h.annual()).toBeNull();
    fill(h, '2025-01', 23, 5, 1);
    expect(h.annual()).toBeNull();
  });

  it('sums a full year as it is and averages the monthly peaks', () => {
    const h = new UsageHistory();
    for (let m = 1; m <= 12; m++) fill(h, `2025-${String(m).padStart(2, '0')}`, 730, 100 + m, m);
    const a = h.annual()!;
    expect(a.importDay).toBeCloseTo(12 * 100 + 78, 9);
    expect(a.exportDay).toBeCloseTo(120, 9);
    expect(a.peakKw).toBeCloseTo(6.5, 9);
    expect(a.observedMonths).toBe(12);
  });

  it('completes one winter month to a year with the seasonal weights, and keeps only the last 12', () => {
    const h = new UsageHistory();
    fill(h, '2025-01', 730, 300, 4);
    const a = h.annual()!;
    // January weighs 1.3 of 12 import units and 22 of 928 export units (kWh/kWp by month).
    expect(a.importDay).toBeCloseTo((300 * 12) / 1.3, 6);
    expect(a.exportDay).toBeCloseTo((10 * 928) / 22, 6);
    for (let m = 2; m <= 13; m++) {
      const month = m <= 12 ? `2025-${String(m).padStart(2, '0')}` : '2026-01';
      fill(h, month, 730, 100, 2);
    }
    expect(h.annual()!.importDay).toBeCloseTo(1200, 6); // January 2025 (300) is out of the window
  });
});

describe('switching decisions', () => {
  const current = staticOffer('current', 0.13, 0.1);
  const input = (offers: Offer[], over: Partial<DecisionInput> = {}): DecisionInput => ({
    contract: contractOf(current),
    offers,
    usage: USAGE,
    tariff: TARIFF,
    thresholdEur: 50,
    propensity: 0.15,
    draw: 0.05,
    ...over,
  });
  // 0.02 €/kWh cheaper on 2,800 kWh × 1.06 = 59.36 € a year; 0.01 cheaper = 29.68 €.
  const cheaper = staticOffer('cheaper', 0.11, 0.08, { switching_discount: 40 });
  const marginal = staticOffer('marginal', 0.12, 0.09, { switching_discount: 100 });

  it('switches for a recurring saving above the threshold, reporting the discount on top', () => {
    const d = decideMonthly(input([cheaper, marginal]));
    expect(d).toMatchObject({ kind: 'switch', offer: { provider_id: 'cheaper' } });
    if (d.kind !== 'switch') return;
    expect(d.savings.gross_savings).toBeCloseTo(59.36 + 40, 2);
    expect(d.savings.net_savings).toBeCloseTo(0.8 * (59.36 + 40), 2);
  });

  it('stays when the draw misses the propensity, or when only a discount would make it worth it', () => {
    expect(decideMonthly(input([cheaper], { draw: 0.15 }))).toEqual({ kind: 'stay' });
    expect(decideMonthly(input([marginal]))).toEqual({ kind: 'stay' });
    expect(decideMonthly(input([current]))).toEqual({ kind: 'stay' }); // its own provider's offer
    expect(decideMonthly(input([]))).toEqual({ kind: 'stay' });
  });

  it('without a contract takes any saving at once', () => {
    const d = decideMonthly(input([marginal], { contract: null, draw: 0.99 }));
    expect(d).toMatchObject({ kind: 'switch', offer: { provider_id: 'marginal' } });
  });

  it('never switches for less than the threshold, whatever the offers and draws (property)', () => {
    const offerArb = fc
      .record({
        day: fc.double({ min: 0.05, max: 0.25, noNaN: true }),
        night: fc.double({ min: 0.05, max: 0.25, noNaN: true }),
        discount: fc.double({ min: 0, max: 200, noNaN: true }),
        fee: fc.double({ min: 0, max: 150, noNaN: true }),
      })
      .map((o) =>
        staticOffer(`p-${o.day}-${o.night}`, o.day, o.night, {
          switching_discount: o.discount,
          fixed_fee_per_year: o.fee,
        }),
      );
    fc.assert(
      fc.property(
        fc.array(offerArb, { maxLength: 6 }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        fc.double({ min: 0, max: 200, noNaN: true }),
        (offers, draw, threshold) => {
          const i = input(offers, { draw, thresholdEur: threshold });
          const d = decideMonthly(i);
          if (d.kind !== 'switch') return;
          const baseline = projectAnnualCost(current, USAGE, TARIFF);
          const cost = projectAnnualCost(d.offer, USAGE, TARIFF);
          expect(baseline - cost).toBeGreaterThan(threshold);
          expect(draw).toBeLessThan(0.15);
          for (const o of offers)
            expect(cost).toBeLessThanOrEqual(projectAnnualCost(o, USAGE, TARIFF) + 1e-9);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('at expiry renews with its provider, moves when another saves enough, or falls back on day-ahead', () => {
    const renewal = staticOffer('current', 0.125, 0.09);
    expect(decideAtExpiry(input([renewal, marginal]), renewal)).toMatchObject({
      kind: 'renew',
      offer: { provider_id: 'current' },
    });
    // Cheaper saves (0.015 × 1,500 + 0.01 × 1,300) × 1.06 = 37.63 against the renewal: under 50.
    expect(decideAtExpiry(input([renewal, cheaper]), renewal)).toMatchObject({ kind: 'renew' });
    const dear = staticOffer('current', 0.15, 0.12);
    expect(decideAtExpiry(input([dear, cheaper]), dear)).toMatchObject({
      kind: 'switch',
      offer: { provider_id: 'cheaper' },
    });
    // The renewal letter makes people compare: 1.5 × the monthly propensity.
    expect(decideAtExpiry(input([dear, cheaper], { draw: 0.2 }), dear)).toMatchObject({ kind: 'switch' });
    expect(decideAtExpiry(input([dear, cheaper], { draw: 0.23 }), dear)).toMatchObject({ kind: 'renew' });
    expect(decideAtExpiry(input([]), null)).toEqual({ kind: 'spot' });
    expect(decideAtExpiry(input([]), renewal)).toMatchObject({ kind: 'renew', offer: renewal });
    expect(decideAtExpiry(input([marginal]), null)).toMatchObject({ kind: 'switch', offer: marginal });
  });
});
