/**
 * Homes physics (docs/domain.md, "Per tick"): the energy invariant per 15-minute sub-step, sub-steps
 * aligned to quarter hours, the battery's limits, and solar with the weather applied once (consumption:
 * model-consumption.test.ts).
 */
import fc from 'fast-check';
import { settleStep, type StepFlows } from '../../apps/homes/model/battery';
import {
  emptyTotals,
  integrate,
  newPhysics,
  type DayWorld,
  type HomeSpec,
  type HourFlows,
} from '../../apps/homes/model/physics';
import { DAY_MS, HOUR_MS, SUB_STEP_MS } from '../../apps/homes/model/time';
import { REGIONS, type Region } from '../../apps/shared/env';
import { createRng } from '../../apps/shared/rng';
import { localMonth } from '../../apps/shared/world/brussels-time';
import { isDayTariff } from '../../apps/shared/world/tariff-window';
import { weatherOn } from '../../apps/simulation/model/weather';

const YEAR_2025 = Date.UTC(2025, 0, 1);
const EPS = 1e-9;
/** Rough centres of the three regions (latitude, longitude). */
const REGION_CENTRES = {
  antwerp: [51.2, 4.45],
  brabant: [50.88, 4.7],
  'east-flanders': [51.05, 3.72],
} as const;

const flows = (): StepFlows => ({ importKwh: 0, exportKwh: 0, lossesKwh: 0, socKwh: 0 });

function spec(over: Partial<HomeSpec> = {}, capacityKwh = 0): HomeSpec {
  return {
    solarKwp: 0,
    annualKwh: 3500,
    heatPump: false,
    ev: false,
    latitude: 51.2,
    longitude: 4.4,
    battery: { capacityKwh, efficiency: 0.92, powerKw: capacityKwh * 0.5 },
    ...over,
  };
}

/** A home's fresh physics state with the given state of charge. */
const stateWith = (s: HomeSpec, socKwh = 0) => ({ ...newPhysics(s, createRng(0)), socKwh });

/** Any household the homes file accepts, with any battery parameters. */
const homeArb = fc
  .record({
    solarKwp: fc.oneof(fc.constant(0), fc.double({ min: 0.1, max: 50, noNaN: true })),
    capacityKwh: fc.oneof(fc.constant(0), fc.double({ min: 0.5, max: 100, noNaN: true })),
    efficiency: fc.double({ min: 0.5, max: 1, noNaN: true }),
    cRate: fc.double({ min: 0.05, max: 2, noNaN: true }),
    annualKwh: fc.double({ min: 500, max: 30_000, noNaN: true }),
    heatPump: fc.boolean(),
    ev: fc.boolean(),
    latitude: fc.double({ min: 50.6, max: 51.5, noNaN: true }),
    longitude: fc.double({ min: 2.5, max: 6, noNaN: true }),
    socFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map((h) => ({
    spec: spec(
      {
        solarKwp: h.solarKwp,
        annualKwh: h.annualKwh,
        heatPump: h.heatPump,
        ev: h.ev,
        latitude: h.latitude,
        longitude: h.longitude,
      },
      h.capacityKwh,
    ),
    efficiency: h.efficiency,
    powerKw: h.capacityKwh * h.cRate,
    soc: h.capacityKwh * h.socFraction,
  }));

const dayWorldArb = fc.record({
  sunshine: fc.double({ min: 0, max: 1, noNaN: true }),
  temperatureC: fc.double({ min: -15, max: 35, noNaN: true }),
});

describe('battery sub-step', () => {
  it('keeps production + import = consumption + export + losses + ΔSoC within its limits (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 20, noNaN: true }),
        fc.double({ min: 0, max: 20, noNaN: true }),
        fc.double({ min: 0.5, max: 1, noNaN: true }),
        fc.double({ min: 0.001, max: 0.25, noNaN: true }),
        (capacity, fraction, production, consumption, efficiency, hours) => {
          const b = { capacityKwh: capacity, efficiency, powerKw: capacity * 0.5 };
          const soc = capacity * fraction;
          const out = settleStep(b, soc, production, consumption, hours, flows());
          const balance =
            production + out.importKwh - (consumption + out.exportKwh + out.lossesKwh + out.socKwh - soc);
          expect(Math.abs(balance)).toBeLessThanOrEqual(EPS);
          expect(out.socKwh).toBeGreaterThanOrEqual(-EPS);
          expect(out.socKwh).toBeLessThanOrEqual(capacity + EPS);
          expect(Math.min(out.importKwh, out.exportKwh)).toBe(0);
          expect(Math.abs(out.socKwh - soc)).toBeLessThanOrEqual(b.powerKw * hours + EPS);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('charges a surplus with the round-trip loss, discharges a deficit, and stops when full or empty', () => {
    const b = { capacityKwh: 10, efficiency: 0.9, powerKw: 5 };
    // 1 kWh surplus in a quarter hour (limit 1.25 kWh): all of it goes in, 10 % is lost.
    expect(settleStep(b, 5, 1.5, 0.5, 0.25, flows())).toEqual({
      importKwh: 0,
      exportKwh: 0,
      lossesKwh: expect.closeTo(0.1, 12),
      socKwh: expect.closeTo(5.9, 12),
    });
    // 3 kWh surplus: the power limit takes 1.25, the rest is exported.
    expect(settleStep(b, 5, 3, 0, 0.25, flows())).toMatchObject({ exportKwh: expect.closeTo(1.75, 12) });
    // Full: everything is exported.
    expect(settleStep(b, 10, 1, 0, 0.25, flows())).toMatchObject({ exportKwh: 1, lossesKwh: 0, socKwh: 10 });
    // 2 kWh deficit with 0.5 kWh stored: 0.5 from the battery, 1.5 imported.
    expect(settleStep(b, 0.5, 0, 2, 0.25, flows())).toMatchObject({
      importKwh: 1.5,
      socKwh: 0,
      lossesKwh: 0,
    });
    // No battery at all: the grid takes and gives everything.
    const none = { capacityKwh: 0, efficiency: 0.92, powerKw: 0 };
    expect(settleStep(none, 0, 0.3, 1, 0.25, flows())).toMatchObject({ importKwh: 0.7, exportKwh: 0 });
  });
});

describe('integrate', () => {
  it('holds the energy invariant per sub-step for random homes, intervals and weather (property)', () => {
    fc.assert(
      fc.property(
        homeArb,
        fc.integer({ min: YEAR_2025, max: Date.UTC(2026, 11, 29) }),
        fc.integer({ min: 1, max: 2 * DAY_MS }),
        fc.array(dayWorldArb, { minLength: 5, maxLength: 5 }),
        fc.integer(),
        (home, fromMs, lengthMs, days, seed) => {
          const s = { ...home.spec, battery: { ...home.spec.battery, efficiency: home.efficiency } };
          s.battery.powerKw = home.powerKw;
          const firstDay = Math.floor(fromMs / DAY_MS);
          const world = (d: number): DayWorld => days[d - firstDay];
          const state = stateWith(s, home.soc);
          const toMs = fromMs + lengthMs;
          const hours: HourFlows[] = [];
          let at = fromMs;
          let steps = 0;
          // Plain checks in the hot observer (expect() per sub-step would take seconds); the first
          // violation is reported with its sub-step.
          let problem: string | null = null;
          const fail = (what: string, startMs: number) => {
            problem ??= `${what} in the sub-step at ${new Date(startMs).toISOString()}`;
          };
          const totals = integrate(
            s,
            state,
            createRng(seed),
            fromMs,
            toMs,
            world,
            hours,
            emptyTotals(),
            (startMs, h, production, consumption, f, socBefore) => {
              const balance =
                production + f.importKwh - (consumption + f.exportKwh + f.lossesKwh + f.socKwh - socBefore);
              if (!(Math.abs(balance) <= EPS)) fail(`energy balance off by ${balance} kWh`, startMs);
              if (f.socKwh < -EPS || f.socKwh > s.battery.capacityKwh + EPS) fail(`SoC ${f.socKwh}`, startMs);
              if (f.importKwh < 0 || f.exportKwh < 0 || Math.min(f.importKwh, f.exportKwh) !== 0)
                fail(`import ${f.importKwh} with export ${f.exportKwh}`, startMs);
              // Contiguous, at most 15 minutes, never across a quarter-hour boundary.
              const endMs = startMs + Math.round(h * HOUR_MS);
              if (startMs !== at) fail(`gap or overlap (expected start ${at})`, startMs);
              if (!(h > 0 && h <= 0.25)) fail(`length ${h} h`, startMs);
              if (Math.floor(startMs / SUB_STEP_MS) !== Math.floor((endMs - 1) / SUB_STEP_MS))
                fail('crosses a quarter hour', startMs);
              at = endMs;
              steps++;
            },
          );
          expect(problem).toBeNull();
          expect(at).toBe(toMs);
          expect(totals.subSteps).toBe(steps);
          // The hourly flows add up to the totals, each hour on its register and in its local month.
          const sum = (k: 'importKwh' | 'exportKwh' | 'productionKwh' | 'consumptionKwh') =>
            hours.reduce((a, h) => a + h[k], 0);
          expect(Math.abs(sum('importKwh') - totals.importKwh)).toBeLessThanOrEqual(EPS);
          expect(Math.abs(sum('exportKwh') - totals.exportKwh)).toBeLessThanOrEqual(EPS);
          expect(Math.abs(sum('productionKwh') - totals.productionKwh)).toBeLessThanOrEqual(EPS);
          expect(Math.abs(sum('consumptionKwh') - totals.consumptionKwh)).toBeLessThanOrEqual(EPS);
          expect(new Set(hours.map((h) => h.hourStartMs)).size).toBe(hours.length);
          for (const h of hours) {
            expect(h.hourStartMs % HOUR_MS).toBe(0);
            expect(h.isDay).toBe(isDayTariff(h.hourStartMs));
            expect(h.month).toBe(localMonth(h.hourStartMs));
            expect(h.peakKw).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('applies the weather once: twice the sunshine is exactly twice the production, none at night', () => {
    const day = Date.UTC(2025, 5, 21);
    const produced = (sunshine: number) => {
      const hours: HourFlows[] = [];
      const s = spec({ solarKwp: 5 });
      const state = stateWith(spec());
      integrate(s, state, createRng(1), day, day + DAY_MS, () => ({ sunshine, temperatureC: 18 }), hours);
      return hours.map((h) => h.productionKwh);
    };
    const half = produced(0.5);
    const full = produced(1);
    for (let i = 0; i < 24; i++) expect(full[i]).toBeCloseTo(2 * half[i], 12);
    // 21 June in Belgium: dark at 01:00 UTC, bright at 11:00 UTC (13:00 local).
    expect(full[1]).toBe(0);
    expect(full[11]).toBeGreaterThan(3);
    const total = full.reduce((a, b) => a + b, 0);
    expect(total / 5).toBeGreaterThan(5); // kWh per kWp on a clear midsummer day
    expect(total / 5).toBeLessThan(9);
  });

  /** kWh per kWp over 2025 at the centre of each region, on that region's weather of `seed`. */
  const yearlyYield = (seed: string, regions: readonly Region[] = REGIONS) =>
    regions.map((region) => {
      const [latitude, longitude] = REGION_CENTRES[region];
      const state = stateWith(spec());
      const world = (d: number): DayWorld => weatherOn(seed, region, d * DAY_MS);
      const s = spec({ solarKwp: 1, latitude, longitude });
      return integrate(s, state, createRng(2), YEAR_2025, Date.UTC(2026, 0, 1), world, []).productionKwh;
    });
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

  it("yields 850–1,000 kWh per kWp over a year of the default seed's weather, in every region", () => {
    for (const kwh of yearlyYield('cortexiq')) {
      expect(kwh).toBeGreaterThanOrEqual(850);
      expect(kwh).toBeLessThanOrEqual(1000);
    }
  });

  it('yields 850–1,000 kWh per kWp on average over weather years (seeds)', () => {
    const yields = ['a', 'b', 'c', 'd'].map((seed) => mean(yearlyYield(seed, ['brabant'])));
    expect(mean(yields)).toBeGreaterThanOrEqual(850);
    expect(mean(yields)).toBeLessThanOrEqual(1000);
    // Sunny and grey years differ, as they do in Belgium (about ±10 %), but not wildly.
    for (const y of yields) expect(Math.abs(y / mean(yields) - 1)).toBeLessThan(0.15);
  });
});
