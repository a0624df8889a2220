/**
 * The rows of the three topics every tick brings for every home (home.measured, home.traded,
 * balance.updated), as COPY text lines of ONE staging table (stage.ts, docs/read-side.md "Write
 * path"): one COPY per batch, whatever its mix. A batch keeps one short line per event instead of
 * the event object. `kind` says which topic a row is; `seq` is the event's place in its batch: of
 * two states with the same simulation_time the later one wins, as it would applied one by one.
 * Columns a kind does not have are NULL. Pure.
 */
import type { BalanceUpdated, HomeMeasured, HomeTraded } from '../../shared/contract';
import { ENERGY_TRADES, type Column } from '../sql';
import { copyLine } from './copy-text';
import { tradeTotals } from './trade-totals';

const COMMON: Column[] = [
  ['kind', 'char'],
  ['seq', 'int4'],
  ['event_id', 'text'],
  ['home_id', 'text'],
  ['region', 'text'],
  ['simulation_time', 'timestamptz'],
  ['provider_id', 'text'],
  ['contract_id', 'text'],
];
const MEASURED_ONLY: Column[] = [
  ['city', 'text'],
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
/** A trade's columns of energy_trades but the ones above and its sums below, in the same order. */
const TRADE_ONLY: Column[] = ENERGY_TRADES.filter(
  ([n]) => !COMMON.some(([c]) => c === n) && !['import_cost', 'export_revenue', 'net_cost'].includes(n),
);
/** A trade's sums and a balance's totals: the same three names. */
const MONEY: Column[] = [
  ['import_cost', 'float8'],
  ['export_revenue', 'float8'],
  ['net_cost', 'float8'],
];
const BALANCE_ONLY: Column[] = [
  ['period_start', 'timestamptz'],
  ['import_kwh', 'float8'],
  ['export_kwh', 'float8'],
  ['balance_eur', 'float8'],
];

/** The staging table's columns, in the order of the lines. */
export const STAGE_COLUMNS: Column[] = [
  ...COMMON,
  ...MEASURED_ONLY,
  ...TRADE_ONLY,
  ...MONEY,
  ...BALANCE_ONLY,
];

/** Tab-led NULL fields for the columns of `groups`. */
const nulls = (...groups: Column[][]): string => '\t\\N'.repeat(groups.flat().length);
const MEASURED_TAIL = nulls(TRADE_ONLY, MONEY, BALANCE_ONLY);
const TRADE_GAP = nulls(MEASURED_ONLY);
const TRADE_TAIL = nulls(BALANCE_ONLY);
const BALANCE_GAP = nulls(MEASURED_ONLY, TRADE_ONLY);

/** A line without its newline, for the NULL runs to follow. */
const fields = (values: Parameters<typeof copyLine>[0]): string => copyLine(values).slice(0, -1);

type Common = Pick<
  HomeMeasured,
  'event_id' | 'home_id' | 'region' | 'simulation_time' | 'provider_id' | 'contract_id'
>;
const common = (kind: string, seq: number, e: Common): string =>
  fields([kind, seq, e.event_id, e.home_id, e.region, e.simulation_time, e.provider_id, e.contract_id]);

export function measuredRow(seq: number, e: HomeMeasured): string {
  return (
    common('m', seq, e) +
    '\t' +
    fields([
      e.city,
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
    ]) +
    MEASURED_TAIL +
    '\n'
  );
}

export function tradeRow(seq: number, e: HomeTraded): string {
  const t = tradeTotals(e);
  return (
    common('t', seq, e) +
    TRADE_GAP +
    '\t' +
    fields([
      t.first_hour,
      t.hours,
      t.grid_import_kwh,
      t.grid_export_kwh,
      t.import_day_kwh,
      t.import_night_kwh,
      t.energy_price_per_kwh,
      t.network_price_per_kwh,
      t.export_price_per_kwh,
      t.import_cost,
      t.export_revenue,
      t.net_cost,
    ]) +
    TRADE_TAIL +
    '\n'
  );
}

export function balanceRow(seq: number, e: BalanceUpdated): string {
  return (
    common('b', seq, e) +
    BALANCE_GAP +
    '\t' +
    fields([
      e.import_cost,
      e.export_revenue,
      e.net_cost,
      e.period_start,
      e.import_kwh,
      e.export_kwh,
      e.balance_eur,
    ]) +
    '\n'
  );
}
