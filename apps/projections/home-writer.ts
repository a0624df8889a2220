/**
 * home_states from one batch in ONE statement (docs/read-side.md): a home's newest measurement,
 * its newest balance and the sums of its trades inserted now arrive together, so each home's row
 * is written once per batch instead of three times. The trades are inserted in the same statement
 * (a CTE): a replayed trade inserts nothing and so adds nothing to the sums. So are the
 * measurements' history rows (another CTE), so that a tick's batch is one round trip.
 *
 * Newest-wins per part: the measured columns change only when the batch's measurement is at least
 * as new as the one held, the balance columns likewise; the trade sums always add. The events go
 * to PostgreSQL as JSON (`json_to_recordset` picks the fields by name), which costs the app far
 * less than one array parameter per column.
 */
import type { Segment } from './model/plan';
import { tradeTotals } from './model/plan';
import { ENERGY_EVENTS, ENERGY_TRADES, recordset, type Column, type Statement } from './sql';

/** [home_states column, event field, type] of home.measured. */
const MEASURED: Array<[string, string, string]> = [
  ['city', 'city', 'text'],
  ['provider_id', 'provider_id', 'text'],
  ['contract_id', 'contract_id', 'text'],
  ['production_w', 'production_w', 'float8'],
  ['consumption_w', 'consumption_w', 'float8'],
  ['power_w', 'power_w', 'float8'],
  ['battery_kwh', 'battery_kwh', 'float8'],
  ['battery_capacity_kwh', 'battery_capacity_kwh', 'float8'],
  ['state_of_charge_pct', 'state_of_charge_pct', 'float8'],
  ['energy_import_kwh', 'energy_import_kwh', 'float8'],
  ['energy_export_kwh', 'energy_export_kwh', 'float8'],
  ['tariff', 'tariff', 'int2'],
  ['month_peak_kw', 'month_peak_kw', 'float8'],
  ['measured_at', 'simulation_time', 'timestamptz'],
];

/** [home_states column, event field, type] of balance.updated. */
const BALANCE: Array<[string, string, string]> = [
  ['balance_period_start', 'period_start', 'timestamptz'],
  ['balance_import_kwh', 'import_kwh', 'float8'],
  ['balance_export_kwh', 'export_kwh', 'float8'],
  ['balance_import_cost', 'import_cost', 'float8'],
  ['balance_export_revenue', 'export_revenue', 'float8'],
  ['balance_net_cost', 'net_cost', 'float8'],
  ['balance_eur', 'balance_eur', 'float8'],
  ['balance_at', 'simulation_time', 'timestamptz'],
];

const fields = (cols: Array<[string, string, string]>): Column[] => [
  ['home_id', 'text'],
  ['region', 'text'],
  ...cols.map(([, field, type]): Column => [field, type]),
];

const M_NEW =
  'EXCLUDED.measured_at IS NOT NULL AND (h.measured_at IS NULL OR h.measured_at <= EXCLUDED.measured_at)';
const B_NEW =
  'EXCLUDED.balance_at IS NOT NULL AND (h.balance_at IS NULL OR h.balance_at <= EXCLUDED.balance_at)';

const newestWins = (cols: Array<[string, string, string]>, when: string) =>
  cols.map(([c]) => `${c} = CASE WHEN ${when} THEN EXCLUDED.${c} ELSE h.${c} END`).join(',\n       ');

const TRADE_NAMES = ENERGY_TRADES.map(([n]) => n).join(', ');
/** The trade rows as sent: energy_trades' columns and the home's region (for a home not yet known). */
const ENERGY_TRADES_IN: Column[] = [...ENERGY_TRADES, ['region', 'text']];

/**
 * Only the fields each recordset reads go to PostgreSQL: parsing the JSON is most of what the
 * statement costs the database, and a measurement carries twice the fields home_states keeps.
 */
const MEASURED_KEYS = fields(MEASURED).map(([n]) => n);
const BALANCE_KEYS = fields(BALANCE).map(([n]) => n);

const EVENT_NAMES = ENERGY_EVENTS.map(([n]) => n).join(', ');
/** The measurement's fields energy_events keeps. */
const EVENT_KEYS = ENERGY_EVENTS.map(([n]) => n);

const SQL = `WITH ev AS (
       INSERT INTO energy_events (${EVENT_NAMES}) SELECT ${EVENT_NAMES}
         FROM ${recordset(ENERGY_EVENTS, 4, 'e')} ON CONFLICT (home_id, simulation_time) DO NOTHING),
     t AS (SELECT * FROM ${recordset(ENERGY_TRADES_IN, 1, 't')}),
     ins AS (
       INSERT INTO energy_trades (${TRADE_NAMES})
       SELECT ${TRADE_NAMES} FROM t
       ON CONFLICT (home_id, simulation_time) DO NOTHING
       RETURNING home_id, grid_import_kwh, grid_export_kwh, import_cost, export_revenue),
     sums AS (SELECT home_id, sum(grid_import_kwh) AS imp, sum(grid_export_kwh) AS exp,
                     sum(import_cost) AS cost, sum(export_revenue) AS rev FROM ins GROUP BY home_id),
     m AS (SELECT * FROM ${recordset(fields(MEASURED), 2, 'm')}),
     b AS (SELECT * FROM ${recordset(fields(BALANCE), 3, 'b')}),
     keys AS (SELECT DISTINCT ON (home_id) home_id, region FROM (
                SELECT home_id, region FROM m UNION ALL SELECT home_id, region FROM b
                UNION ALL SELECT home_id, region FROM t) AS all_homes)
     INSERT INTO home_states AS h (home_id, region, ${MEASURED.map(([c]) => c).join(', ')},
       ${BALANCE.map(([c]) => c).join(', ')}, connected, trades_import_kwh, trades_export_kwh, cost_eur, revenue_eur)
     SELECT k.home_id, k.region, ${MEASURED.map(([, f]) => `m.${f}`).join(', ')},
       ${BALANCE.map(([, f]) => `b.${f}`).join(', ')}, m.simulation_time IS NOT NULL,
       coalesce(s.imp, 0), coalesce(s.exp, 0), coalesce(s.cost, 0), coalesce(s.rev, 0)
       FROM keys k LEFT JOIN m ON m.home_id = k.home_id LEFT JOIN b ON b.home_id = k.home_id
       LEFT JOIN sums s ON s.home_id = k.home_id
     ON CONFLICT (home_id) DO UPDATE SET
       region = coalesce(EXCLUDED.region, h.region),
       ${newestWins(MEASURED, M_NEW)},
       ${newestWins(BALANCE, B_NEW)},
       -- A measuring home is connected, unless a later disconnection is already recorded.
       connected = CASE WHEN ${M_NEW} AND (h.connection_changed_at IS NULL OR h.connection_changed_at <= EXCLUDED.measured_at)
                        THEN true ELSE h.connected END,
       trades_import_kwh = h.trades_import_kwh + EXCLUDED.trades_import_kwh,
       trades_export_kwh = h.trades_export_kwh + EXCLUDED.trades_export_kwh,
       cost_eur = h.cost_eur + EXCLUDED.cost_eur,
       revenue_eur = h.revenue_eur + EXCLUDED.revenue_eur,
       updated_at = now()`;

/** The segment's statement for history, home states and trades; none when it has none of them. */
export function homeStatement(s: Segment): Statement | undefined {
  if (s.latestMeasured.size === 0 && s.balances.size === 0 && s.trades.length === 0) return undefined;
  const trades = s.trades.map((e) => ({
    event_id: e.event_id,
    home_id: e.home_id,
    region: e.region,
    provider_id: e.provider_id,
    contract_id: e.contract_id,
    simulation_time: e.simulation_time,
    ...tradeTotals(e),
  }));
  return {
    text: SQL,
    values: [
      JSON.stringify(trades),
      JSON.stringify([...s.latestMeasured.values()], MEASURED_KEYS),
      JSON.stringify([...s.balances.values()], BALANCE_KEYS),
      JSON.stringify(s.measured, EVENT_KEYS),
    ],
  };
}
