/**
 * The rows of the three topics every tick brings for every home (home.measured, home.traded,
 * balance.updated), as COPY text lines for the staging tables (stage.ts, docs/read-side.md "Write
 * path"). A batch keeps one short line per event instead of the event object, and PostgreSQL reads
 * them by COPY, its cheapest input. `seq` is the event's place in its batch: of two states with
 * the same simulation_time the later one wins, as it would applied one by one. Pure.
 */
import type { BalanceUpdated, HomeMeasured, HomeTraded } from '../../shared/contract';
import { ENERGY_TRADES, type Column } from '../sql';
import { copyLine } from './copy-text';
import { tradeTotals } from './trade-totals';

/** stage_measured: what energy_events and home_states keep of a measurement. */
export const STAGE_MEASURED: Column[] = [
  ['seq', 'int4'],
  ['event_id', 'text'],
  ['home_id', 'text'],
  ['region', 'text'],
  ['simulation_time', 'timestamptz'],
  ['city', 'text'],
  ['provider_id', 'text'],
  ['contract_id', 'text'],
  ['production_w', 'float8'],
  ['consumption_w', 'float8'],
  ['power_w', 'float8'],
  ['battery_kwh', 'float8'],
  ['battery_capacity_kwh', 'float8'],
  ['state_of_charge_pct', 'float8'],
  ['energy_import_kwh', 'float8'],
  ['energy_export_kwh', 'float8'],
  ['tariff', 'int2'],
  ['month_peak_kw', 'float8'],
];

export function measuredRow(seq: number, e: HomeMeasured): string {
  return copyLine([
    seq,
    e.event_id,
    e.home_id,
    e.region,
    e.simulation_time,
    e.city,
    e.provider_id,
    e.contract_id,
    e.production_w,
    e.consumption_w,
    e.power_w,
    e.battery_kwh,
    e.battery_capacity_kwh,
    e.state_of_charge_pct,
    e.energy_import_kwh,
    e.energy_export_kwh,
    e.tariff,
    e.month_peak_kw,
  ]);
}

/** stage_trades: energy_trades' row of a trade (its hours summed) and the home's region. */
export const STAGE_TRADES: Column[] = [...ENERGY_TRADES, ['region', 'text']];

export function tradeRow(e: HomeTraded): string {
  const t = tradeTotals(e);
  return copyLine([
    e.event_id,
    e.home_id,
    e.provider_id,
    e.contract_id,
    e.simulation_time,
    t.first_hour,
    t.hours,
    t.grid_import_kwh,
    t.grid_export_kwh,
    t.import_day_kwh,
    t.import_night_kwh,
    t.import_cost,
    t.export_revenue,
    t.net_cost,
    t.energy_price_per_kwh,
    t.network_price_per_kwh,
    t.export_price_per_kwh,
    e.region,
  ]);
}

/** stage_balances: the balance columns of home_states. */
export const STAGE_BALANCES: Column[] = [
  ['seq', 'int4'],
  ['home_id', 'text'],
  ['region', 'text'],
  ['simulation_time', 'timestamptz'],
  ['period_start', 'timestamptz'],
  ['import_kwh', 'float8'],
  ['export_kwh', 'float8'],
  ['import_cost', 'float8'],
  ['export_revenue', 'float8'],
  ['net_cost', 'float8'],
  ['balance_eur', 'float8'],
];

export function balanceRow(seq: number, e: BalanceUpdated): string {
  return copyLine([
    seq,
    e.home_id,
    e.region,
    e.simulation_time,
    e.period_start,
    e.import_kwh,
    e.export_kwh,
    e.import_cost,
    e.export_revenue,
    e.net_cost,
    e.balance_eur,
  ]);
}
