/**
 * One home's energy over a simulated interval (domain.md §3, Decision: integrate the whole interval since
 * the previous tick, in sub-steps of at most 15 simulated minutes aligned to quarter hours, so a 29-hour
 * tick sees day and night and no sub-step straddles an hour or a tariff boundary).
 */
import type { Rng } from '../../shared/rng';
import { settleStep, type BatterySpec, type StepFlows } from './battery';
import { noiseKw, PROFILE_QUARTERS, profileEnergy, profilePower } from './consumption';
import { drawWeatherFactor, solarDay, solarEnergyPerKwp, solarPowerPerKwp } from './solar';
import { DAY_MS, HOUR_MS, SUB_STEP_MS } from './time';

// The CLI runs these sources through tsx, whose CommonJS output turns every imported binding into a
// getter call; the integration loop below runs ~10^5 times per tick, so it uses local aliases.
const DAY = DAY_MS;
const HOUR = HOUR_MS;
const QUARTER = SUB_STEP_MS;
const quarters = PROFILE_QUARTERS;
const profileEnergyOf = profileEnergy;
const solarDayOf = solarDay;
const solarEnergyOf = solarEnergyPerKwp;
const settle = settleStep;
const noise = noiseKw;

export interface HomeSpec {
  solarKwp: number;
  battery: BatterySpec;
  /** Scales the consumption profile (household size). */
  consumptionFactor: number;
}

export interface HomePhysics {
  socKwh: number;
  /** Simulated day the weather factor belongs to. */
  weatherDay: number;
  weatherFactor: number;
  /** Instantaneous readings at the end of the last sub-step (kW). */
  productionKw: number;
  consumptionKw: number;
  gridKw: number;
}

/** Energy of one simulated hour (or the part of it this interval covers). */
export interface HourFlows {
  hourStartMs: number;
  isDay: boolean;
  importKwh: number;
  exportKwh: number;
}

export interface IntervalTotals {
  productionKwh: number;
  consumptionKwh: number;
  importKwh: number;
  exportKwh: number;
  lossesKwh: number;
  importDayKwh: number;
  importNightKwh: number;
  exportDayKwh: number;
  exportNightKwh: number;
  subSteps: number;
}

/** Called after every sub-step (tests check the energy invariant with it). */
export type StepObserver = (
  startMs: number,
  hours: number,
  productionKwh: number,
  consumptionKwh: number,
  flows: StepFlows,
  socBeforeKwh: number,
) => void;

export function newPhysics(spec: HomeSpec, rng: Rng): HomePhysics {
  return {
    socKwh: spec.battery.capacityKwh * rng.uniform(0.5, 0.8),
    weatherDay: Number.NaN,
    weatherFactor: 1,
    productionKw: 0,
    consumptionKw: 0,
    gridKw: 0,
  };
}

export function emptyTotals(): IntervalTotals {
  return {
    productionKwh: 0,
    consumptionKwh: 0,
    importKwh: 0,
    exportKwh: 0,
    lossesKwh: 0,
    importDayKwh: 0,
    importNightKwh: 0,
    exportDayKwh: 0,
    exportNightKwh: 0,
    subSteps: 0,
  };
}

const scratch: StepFlows = { importKwh: 0, exportKwh: 0, lossesKwh: 0, socKwh: 0 };

/**
 * Integrates [fromMs, toMs) into `state`, adding to `totals` and, when given, to per-hour `hours`
 * (appended in time order; an hour already last in the array is extended).
 */
export function integrate(
  spec: HomeSpec,
  state: HomePhysics,
  rng: Rng,
  fromMs: number,
  toMs: number,
  totals: IntervalTotals = emptyTotals(),
  hours?: HourFlows[],
  observe?: StepObserver,
): IntervalTotals {
  let t = fromMs;
  while (t < toMs) {
    const end = Math.min(toMs, (Math.floor(t / QUARTER) + 1) * QUARTER);
    const stepH = (end - t) / HOUR;
    const day = Math.floor(t / DAY);
    const dayStart = day * DAY;
    const fromH = (t - dayStart) / HOUR;
    const toH = fromH + stepH;
    if (day !== state.weatherDay) {
      state.weatherDay = day;
      state.weatherFactor = drawWeatherFactor(rng.next);
    }
    const solarScale = spec.solarKwp * state.weatherFactor;
    const sun = solarDayOf(t);
    // A whole quarter hour (all but an interval's first and last step) is a table lookup of the same
    // exact integrals; partial steps integrate directly.
    const whole = end - t === QUARTER;
    const quarter = whole ? (t - dayStart) / QUARTER : 0;
    const production = solarScale * (whole ? sun.quarters[quarter] : solarEnergyOf(sun, fromH, toH));
    const noiseKwNow = noise(rng.next);
    const base = whole ? quarters[quarter] : profileEnergyOf(fromH, toH);
    const consumption = spec.consumptionFactor * (base + noiseKwNow * stepH);
    const socBefore = state.socKwh;
    const flows = settle(spec.battery, socBefore, production, consumption, stepH, scratch);
    state.socKwh = flows.socKwh;
    if (observe) observe(t, stepH, production, consumption, flows, socBefore);

    const isDay = fromH >= 6 && fromH < 18;
    totals.productionKwh += production;
    totals.consumptionKwh += consumption;
    totals.importKwh += flows.importKwh;
    totals.exportKwh += flows.exportKwh;
    totals.lossesKwh += flows.lossesKwh;
    if (isDay) {
      totals.importDayKwh += flows.importKwh;
      totals.exportDayKwh += flows.exportKwh;
    } else {
      totals.importNightKwh += flows.importKwh;
      totals.exportNightKwh += flows.exportKwh;
    }
    totals.subSteps++;
    if (hours) {
      const hourStart = Math.floor(t / HOUR) * HOUR;
      const last = hours[hours.length - 1];
      if (last && last.hourStartMs === hourStart) {
        last.importKwh += flows.importKwh;
        last.exportKwh += flows.exportKwh;
      } else {
        hours.push({ hourStartMs: hourStart, isDay, importKwh: flows.importKwh, exportKwh: flows.exportKwh });
      }
    }
    t = end;
  }
  // P1-style instantaneous readings at the end of the interval.
  const endH = (((toMs % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
  state.productionKw = spec.solarKwp * state.weatherFactor * solarPowerPerKwp(toMs);
  state.consumptionKw = spec.consumptionFactor * (profilePower(endH) + noiseKw(rng.next));
  const net = state.consumptionKw - state.productionKw;
  const battKw = spec.battery.powerKw;
  const canDischarge = state.socKwh > 1e-9 ? battKw : 0;
  const canCharge = state.socKwh < spec.battery.capacityKwh - 1e-9 ? battKw : 0;
  state.gridKw = net >= 0 ? Math.max(0, net - canDischarge) : Math.min(0, net + canCharge);
  return totals;
}
