/**
 * One home's energy over a simulated interval (docs/domain.md, "Per tick"): the whole interval since
 * the previous tick, in sub-steps of at most 15 simulated minutes aligned to quarter hours, so a
 * 29-hour tick sees day and night and no sub-step straddles an hour, a tariff boundary or a month.
 * Solar = capacity × the region's sunshine of the day × the clear-sky curve (weather applied once);
 * consumption = the home's annual kWh × normalised load shapes (+ heating by the day's temperature
 * for a heat pump, + evening charging for an EV) × small noise.
 */
import type { Rng } from '../../shared/rng';
import { clearSkyKwPerKwp, clearSkyQuarters } from '../../shared/world/clear-sky';
import { HEATING_BASE_C, EXPECTED_HDD_PER_YEAR } from '../../shared/world/climate';
import { settleStep, type BatterySpec, type StepFlows } from './battery';
import { dayTable, type DayTable } from './day-table';
import { EV_SHARE, HEAT_PUMP_SHARE } from './load-shapes';
import { DAY_MS, HOUR_MS, SUB_STEP_MS } from './time';

// The CLI runs these sources through tsx, whose CommonJS output turns every imported binding into a
// getter call; the integration loop below runs ~10^5 times per tick, so it uses local aliases.
const DAY = DAY_MS;
const HOUR = HOUR_MS;
const QUARTER = SUB_STEP_MS;
const settle = settleStep;
const tableOf = dayTable;
const clearSkyOf = clearSkyQuarters;

export interface HomeSpec {
  solarKwp: number;
  battery: BatterySpec;
  annualKwh: number;
  heatPump: boolean;
  ev: boolean;
  latitude: number;
  longitude: number;
}

/** The world of one simulated day, as the tick carried it. */
export interface DayWorld {
  sunshine: number;
  temperatureC: number;
}

export interface HomePhysics {
  socKwh: number;
  /** Instantaneous readings at the end of the last sub-step (kW). */
  productionKw: number;
  consumptionKw: number;
  gridKw: number;
}

/** Energy of one simulated hour (or the part of it this interval covers). */
export interface HourFlows {
  hourStartMs: number;
  isDay: boolean;
  /** Local month (YYYY-MM) the hour is billed in. */
  month: string;
  importKwh: number;
  exportKwh: number;
  productionKwh: number;
  consumptionKwh: number;
  /** Highest 15-minute average import power in the hour (kW). */
  peakKw: number;
}

export interface IntervalTotals {
  productionKwh: number;
  consumptionKwh: number;
  importKwh: number;
  exportKwh: number;
  lossesKwh: number;
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
    productionKw: 0,
    consumptionKw: 0,
    gridKw: 0,
  };
}

export function emptyTotals(): IntervalTotals {
  return { productionKwh: 0, consumptionKwh: 0, importKwh: 0, exportKwh: 0, lossesKwh: 0, subSteps: 0 };
}

/** kWh of heating of one quarter hour on a day with mean temperature `t` (heat-pump homes). */
export function heatingQuarterKwh(annualKwh: number, t: number): number {
  return (annualKwh * HEAT_PUMP_SHARE * Math.max(0, HEATING_BASE_C - t)) / EXPECTED_HDD_PER_YEAR / 96;
}

/** Multiplicative consumption noise, mean 1: U[0.85, 1.15]. */
const noiseFactor = (next: () => number) => 0.85 + 0.3 * next();

const scratch: StepFlows = { importKwh: 0, exportKwh: 0, lossesKwh: 0, socKwh: 0 };

/**
 * Integrates [fromMs, toMs) into `state`, adding to `totals` and appending per-hour flows to `hours`
 * (an hour already last in the array is extended). `world(day)` gives the day's weather.
 */
export function integrate(
  spec: HomeSpec,
  state: HomePhysics,
  rng: Rng,
  fromMs: number,
  toMs: number,
  world: (dayIndex: number) => DayWorld,
  hours: HourFlows[],
  totals: IntervalTotals = emptyTotals(),
  observe?: StepObserver,
): IntervalTotals {
  const householdKwh =
    spec.annualKwh * (1 - (spec.heatPump ? HEAT_PUMP_SHARE : 0) - (spec.ev ? EV_SHARE : 0));
  const evKwh = spec.ev ? spec.annualKwh * EV_SHARE : 0;
  let t = fromMs;
  let day = Number.NaN;
  let table: DayTable = tableOf(0);
  let solar: Float64Array = table.household;
  let sunKwp = 0;
  let heatingKwh = 0;
  let last: HourFlows | undefined = hours[hours.length - 1];
  while (t < toMs) {
    const d = Math.floor(t / DAY);
    if (d !== day) {
      day = d;
      table = tableOf(d);
      solar = clearSkyOf(d, spec.latitude, spec.longitude);
      const w = world(d);
      sunKwp = spec.solarKwp * w.sunshine;
      heatingKwh = spec.heatPump ? heatingQuarterKwh(spec.annualKwh, w.temperatureC) : 0;
    }
    const end = Math.min(toMs, (Math.floor(t / QUARTER) + 1) * QUARTER);
    const q = Math.floor((t - d * DAY) / QUARTER);
    const share = (end - t) / QUARTER;
    const stepH = share / 4;
    const production = sunKwp * solar[q] * share;
    const consumption =
      (householdKwh * table.household[q] + evKwh * table.ev[q] + heatingKwh) * share * noiseFactor(rng.next);
    const socBefore = state.socKwh;
    const flows = settle(spec.battery, socBefore, production, consumption, stepH, scratch);
    state.socKwh = flows.socKwh;
    if (observe) observe(t, stepH, production, consumption, flows, socBefore);

    totals.productionKwh += production;
    totals.consumptionKwh += consumption;
    totals.importKwh += flows.importKwh;
    totals.exportKwh += flows.exportKwh;
    totals.lossesKwh += flows.lossesKwh;
    totals.subSteps++;
    const hourStartMs = Math.floor(t / HOUR) * HOUR;
    const peak = flows.importKwh / stepH;
    if (last && last.hourStartMs === hourStartMs) {
      last.importKwh += flows.importKwh;
      last.exportKwh += flows.exportKwh;
      last.productionKwh += production;
      last.consumptionKwh += consumption;
      if (peak > last.peakKw) last.peakKw = peak;
    } else {
      last = {
        hourStartMs,
        isDay: table.isDay[q] === 1,
        month: table.month[q],
        importKwh: flows.importKwh,
        exportKwh: flows.exportKwh,
        productionKwh: production,
        consumptionKwh: consumption,
        peakKw: peak,
      };
      hours.push(last);
    }
    t = end;
  }
  // P1-style instantaneous readings at the end of the interval.
  const endDay = Math.floor(toMs / DAY);
  const w = world(endDay);
  const endTable = tableOf(endDay);
  const q = Math.min(95, Math.floor((toMs - endDay * DAY) / QUARTER));
  state.productionKw = spec.solarKwp * w.sunshine * clearSkyKwPerKwp(spec.latitude, spec.longitude, toMs);
  state.consumptionKw =
    4 *
    (householdKwh * endTable.household[q] +
      evKwh * endTable.ev[q] +
      (spec.heatPump ? heatingQuarterKwh(spec.annualKwh, w.temperatureC) : 0)) *
    noiseFactor(rng.next);
  const net = state.consumptionKw - state.productionKw;
  const battKw = spec.battery.powerKw;
  const canDischarge = state.socKwh > 1e-9 ? battKw : 0;
  const canCharge = state.socKwh < spec.battery.capacityKwh - 1e-9 ? battKw : 0;
  state.gridKw = net >= 0 ? Math.max(0, net - canDischarge) : Math.min(0, net + canCharge);
  return totals;
}
