/**
 * home_states from one batch in ONE statement (docs/read-side.md): a home's newest measurement,
 * its newest balance and the sums of its trades inserted now arrive together, so each home's row
 * is written once per batch instead of three times. The trades are inserted in the same statement
 * (a CTE): a replayed trade inserts nothing and so adds nothing to the sums.
 *
 * Newest-wins per part: the measured columns change only when the batch's measurement is at least
 * as new as the one held, the balance columns likewise; the trade sums always add. The events go
 * to PostgreSQL as JSON (`json_to_recordset` picks the fields by name), which costs the app far
 * less than one array parameter per column.
 */
import type { PoolClient } from 'pg';
import type { Segment } from './model/plan';
import { tradeTotals } from './model/plan';
import { ENERGY_TRADES, recordset, type Column } from './sql';

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

const SQL = `WITH ins AS (
       INSERT INTO energy_trades (${TRADE_NAMES})
       SELECT ${TRADE_NAMES} FROM ${recordset(ENERGY_TRADES, 1, 't')}
       ON CONFLICT (home_id, simulation_time) DO NOTHING
       RETURNING home_id, grid_import_kwh, grid_export_kwh, import_cost, export_revenue),
     sums AS (SELECT home_id, sum(grid_import_kwh) AS imp, sum(grid_export_kwh) AS exp,
                     sum(import_cost) AS cost, sum(export_revenue) AS rev FROM ins GROUP BY home_id),
     m AS (SELECT * FROM ${recordset(fields(MEASURED), 2, 'm')}),
     b AS (SELECT * FROM ${recordset(fields(BALANCE), 3, 'b')}),
     keys AS (SELECT DISTINCT ON (home_id) home_id, region FROM (
                SELECT home_id, region FROM m UNION ALL SELECT home_id, region FROM b
                UNION ALL SELECT home_id, region FROM ${recordset(
                  [
                    ['home_id', 'text'],
                    ['region', 'text'],
                  ],
                  1,
                  'tr',
                )}) AS all_homes)
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

export async function writeHomes(db: PoolClient, s: Segment): Promise<void> {
  if (s.latestMeasured.size === 0 && s.balances.size === 0 && s.trades.length === 0) return;
  const trades = s.trades.map((e) => ({
    event_id: e.event_id,
    home_id: e.home_id,
    region: e.region,
    provider_id: e.provider_id,
    contract_id: e.contract_id,
    simulation_time: e.simulation_time,
    ...tradeTotals(e),
  }));
  await db.query(SQL, [
    JSON.stringify(trades),
    JSON.stringify([...s.latestMeasured.values()]),
    JSON.stringify([...s.balances.values()]),
  ]);
}
