/** Physics of domain.md §3: energy invariant, solar, consumption, sub-steps, tariffs. */
import fc from 'fast-check';
import { createRng } from '../../apps/shared/rng';
import { settleStep } from '../../apps/homes/model/battery';
import {
  emptyTotals,
  integrate,
  newPhysics,
  type HomeSpec,
  type HourFlows,
} from '../../apps/homes/model/physics';
import {
  dailyYieldPerKwp,
  solarDay,
  solarEnergyPerKwp,
  solarPowerPerKwp,
} from '../../apps/homes/model/solar';
import { DAY_MS, HOUR_MS, isDayTariff, SUB_STEP_MS, tariffCode } from '../../apps/homes/model/time';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const spec = (solarKwp: number, capacityKwh: number, efficiency = 0.92): HomeSpec => ({
  solarKwp,
  consumptionFactor: 1,
  battery: { capacityKwh, efficiency, powerKw: capacityKwh * 0.5 },
});

describe('energy invariant: production + import = consumption + export + losses + ΔSoC', () => {
  it('holds per battery step for any flows (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 30, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.double({ min: 0.5, max: 1, noNaN: true }),
        fc.double({ min: 0.01, max: 0.25, noNaN: true }),
        (capacity, socFraction, production, consumption, efficiency, hours) => {
          const b = { capacityKwh: capacity, efficiency, powerKw: capacity * 0.5 };
          const soc = capacity * socFraction;
          const out = settleStep(b, soc, production, consumption, hours, {
            importKwh: 0,
            exportKwh: 0,
            lossesKwh: 0,
            socKwh: 0,
          });
          const lhs = production + out.importKwh;
          const rhs = consumption + out.exportKwh + out.lossesKwh + (out.socKwh - soc);
          expect(Math.abs(lhs - rhs)).toBeLessThan(1e-9);
          expect(out.socKwh).toBeGreaterThanOrEqual(-1e-12);
          expect(out.socKwh).toBeLessThanOrEqual(capacity + 1e-9);
          expect(out.importKwh).toBeGreaterThanOrEqual(0);
          expect(out.exportKwh).toBeGreaterThanOrEqual(0);
          // The power limit holds both ways.
          expect(Math.abs(out.socKwh - soc)).toBeLessThanOrEqual(b.powerKw * hours + 1e-9);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('holds on every sub-step of a whole integrated interval, which are ≤ 15 minutes (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 364 * DAY_MS }),
        fc.integer({ min: 1, max: 48 * HOUR_MS }),
        fc.double({ min: 0, max: 12, noNaN: true }),
        fc.constantFrom(0, 5, 10, 13.5),
        fc.integer(),
        (offset, span, kwp, capacity, seed) => {
          const rng = createRng(seed);
          const s = spec(kwp, capacity);
          const state = newPhysics(s, rng);
          let steps = 0;
          integrate(
            s,
            state,
            rng,
            T0 + offset,
            T0 + offset + span,
            emptyTotals(),
            undefined,
            (start, h, prod, cons, f, before) => {
              steps++;
              expect(h * HOUR_MS).toBeLessThanOrEqual(SUB_STEP_MS + 1e-6);
              // A sub-step never straddles a quarter hour, hence never an hour or tariff boundary.
              expect(Math.floor(start / SUB_STEP_MS)).toBe(
                Math.floor((start + h * HOUR_MS - 1) / SUB_STEP_MS),
              );
              const diff = prod + f.importKwh - (cons + f.exportKwh + f.lossesKwh + (f.socKwh - before));
              expect(Math.abs(diff)).toBeLessThan(1e-9);
            },
          );
          expect(steps).toBeGreaterThanOrEqual(Math.ceil(span / SUB_STEP_MS));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('holds for interval totals too (no energy appears between steps)', () => {
    const rng = createRng(7);
    const s = spec(6, 10);
    const state = newPhysics(s, rng);
    const soc0 = state.socKwh;
    const t = integrate(s, state, rng, T0 + 150 * DAY_MS, T0 + 160 * DAY_MS);
    const diff =
      t.productionKwh + t.importKwh - (t.consumptionKwh + t.exportKwh + t.lossesKwh + (state.socKwh - soc0));
    expect(Math.abs(diff)).toBeLessThan(1e-6);
    expect(t.lossesKwh).toBeGreaterThan(0);
  });
});

describe('solar', () => {
  it('is zero at night, any day of the year', () => {
    for (let d = 0; d < 365; d += 7) {
      const day = T0 + d * DAY_MS;
      expect(solarPowerPerKwp(day + 1 * HOUR_MS)).toBe(0);
      expect(solarPowerPerKwp(day + 23 * HOUR_MS)).toBe(0);
      expect(solarEnergyPerKwp(solarDay(day), 0, 3)).toBe(0);
      expect(solarEnergyPerKwp(solarDay(day), 22, 24)).toBe(0);
      expect(solarPowerPerKwp(day + 12 * HOUR_MS)).toBeGreaterThan(0);
    }
  });

  it('is larger in June than in December, by about a factor 6 per kWp', () => {
    const june = Date.parse('2025-06-21T00:00:00Z');
    const december = Date.parse('2025-12-21T00:00:00Z');
    const juneKwh = solarEnergyPerKwp(solarDay(june), 0, 24);
    const decKwh = solarEnergyPerKwp(solarDay(december), 0, 24);
    expect(juneKwh).toBeCloseTo(dailyYieldPerKwp(172), 6); // the half-sine integrates to the daily yield
    expect(juneKwh / decKwh).toBeGreaterThan(4.5);
    expect(juneKwh / decKwh).toBeLessThan(7.5);
    expect(solarDay(june).sunsetH - solarDay(june).sunriseH).toBeGreaterThan(16);
    expect(solarDay(december).sunsetH - solarDay(december).sunriseH).toBeLessThan(8.5);
  });

  it('gives a Belgian annual yield: about 930 kWh per kWp clear-sky, 700–900 with weather', () => {
    const rng = createRng(1);
    const s: HomeSpec = {
      solarKwp: 1,
      consumptionFactor: 1,
      battery: { capacityKwh: 0, efficiency: 0.92, powerKw: 0 },
    };
    const t = integrate(s, newPhysics(s, rng), rng, T0, T0 + 365 * DAY_MS);
    // Weather mean ≈ 0.7·1.0 + 0.3·0.5 = 0.85 of the clear-sky 930 kWh.
    expect(t.productionKwh).toBeGreaterThan(700);
    expect(t.productionKwh).toBeLessThan(900);
  });
});

describe('a 29-hour tick', () => {
  it('sees a day/night cycle: production by day, none at night, both tariffs', () => {
    const rng = createRng(3);
    const s = spec(5, 10);
    const state = newPhysics(s, rng);
    const hours: HourFlows[] = [];
    const from = Date.parse('2025-05-10T20:00:00Z');
    const producedByHour = new Map<number, number>();
    const t = integrate(
      s,
      state,
      rng,
      from,
      from + 29.2 * HOUR_MS,
      emptyTotals(),
      hours,
      (start, _h, prod) => {
        const hour = new Date(start).getUTCHours();
        producedByHour.set(hour, (producedByHour.get(hour) ?? 0) + prod);
      },
    );
    expect(t.subSteps).toBe(Math.ceil((29.2 * 60) / 15));
    expect(hours).toHaveLength(30);
    expect(producedByHour.get(2)).toBe(0);
    expect(producedByHour.get(12)).toBeGreaterThan(0.5);
    expect(hours.some((h) => h.isDay)).toBe(true);
    expect(hours.some((h) => !h.isDay)).toBe(true);
    expect(t.exportKwh + t.importKwh).toBeGreaterThan(0);
    // The hourly buckets add up to the interval totals.
    const imp = hours.reduce((a, h) => a + h.importKwh, 0);
    expect(imp).toBeCloseTo(t.importKwh, 9);
  });
});

describe('tariff boundaries', () => {
  it('day is [06:00, 18:00), night otherwise (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3650 }), fc.integer({ min: 0, max: DAY_MS - 1 }), (day, ms) => {
        const t = T0 + day * DAY_MS + ms;
        const expected = ms >= 6 * HOUR_MS && ms < 18 * HOUR_MS;
        expect(isDayTariff(t)).toBe(expected);
        expect(tariffCode(t)).toBe(expected ? 1 : 2);
      }),
    );
    expect(isDayTariff(T0 + 6 * HOUR_MS - 1)).toBe(false);
    expect(isDayTariff(T0 + 6 * HOUR_MS)).toBe(true);
    expect(isDayTariff(T0 + 18 * HOUR_MS - 1)).toBe(true);
    expect(isDayTariff(T0 + 18 * HOUR_MS)).toBe(false);
  });
});
