/**
 * The ticks' rows (home.measured, home.traded, balance.updated) reach PostgreSQL by COPY into
 * per-connection staging tables, then ONE statement moves them (docs/read-side.md, "Write path"):
 * the measurements into energy_events, the trades into energy_trades, and each home's row of
 * home_states written once with its newest measurement, its newest balance and the sums of the
 * trades that statement inserted. A replayed trade inserts nothing and so adds nothing to the sums;
 * a replayed or late state is older than (or as old as) what the row holds and changes nothing.
 *
 * COPY is PostgreSQL's cheapest input: the JSON recordsets this replaces spent half the
 * statement's time parsing JSON (EXPLAIN ANALYZE: 51 of 104 ms for a batch of 5,000 events).
 * The staging tables are temporary (one set per connection, made on its first batch) and emptied
 * at every commit, so they never hold more than the batch being written.
 */
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { STAGE_COLUMNS } from './model/hot-rows';
import { ENERGY_EVENTS, ENERGY_TRADES, type Column } from './sql';

/** COPY lines of stage_rows (model/hot-rows.ts) as UTF-8 bytes, in batch order. */
export interface StagedRows {
  stagedRows: Buffer[];
}

const DDL = `CREATE TEMP TABLE IF NOT EXISTS stage_rows (${STAGE_COLUMNS.map(([c, t]) => `${c} ${t}`).join(', ')})
  ON COMMIT DELETE ROWS`;
const COPY = `COPY stage_rows (${STAGE_COLUMNS.map(([c]) => c).join(', ')}) FROM STDIN`;

const names = (cols: Column[]) => cols.map(([n]) => n).join(', ');

/** [home_states column, stage_rows column of a measurement]. */
const MEASURED: Array<[string, string]> = [
  ['city', 'city'],
  ['provider_id', 'provider_id'],
  ['contract_id', 'contract_id'],
  ['production_w', 'production_w'],
  ['consumption_w', 'consumption_w'],
  ['power_w', 'power_w'],
  ['battery_kwh', 'battery_kwh'],
  ['battery_capacity_kwh', 'battery_capacity_kwh'],
  ['state_of_charge_pct', 'state_of_charge_pct'],
  ['energy_import_kwh', 'energy_import_kwh'],
  ['energy_export_kwh', 'energy_export_kwh'],
  ['tariff', 'tariff'],
  ['month_peak_kw', 'month_peak_kw'],
  ['measured_at', 'simulation_time'],
];

/** [home_states column, stage_rows column of a balance]. */
const BALANCE: Array<[string, string]> = [
  ['balance_period_start', 'period_start'],
  ['balance_import_kwh', 'import_kwh'],
  ['balance_export_kwh', 'export_kwh'],
  ['balance_import_cost', 'import_cost'],
  ['balance_export_revenue', 'export_revenue'],
  ['balance_net_cost', 'net_cost'],
  ['balance_eur', 'balance_eur'],
  ['balance_at', 'simulation_time'],
];

const M_NEW =
  'EXCLUDED.measured_at IS NOT NULL AND (h.measured_at IS NULL OR h.measured_at <= EXCLUDED.measured_at)';
const B_NEW =
  'EXCLUDED.balance_at IS NOT NULL AND (h.balance_at IS NULL OR h.balance_at <= EXCLUDED.balance_at)';

const newestWins = (cols: Array<[string, string]>, when: string) =>
  cols.map(([c]) => `${c} = CASE WHEN ${when} THEN EXCLUDED.${c} ELSE h.${c} END`).join(',\n       ');

const EVENT_NAMES = names(ENERGY_EVENTS);
const TRADE_NAMES = names(ENERGY_TRADES);

/** Moves the staged rows into the read models (one statement; every part is a no-op when empty). */
const MOVE = `WITH ev AS (
       INSERT INTO energy_events (${EVENT_NAMES}) SELECT ${EVENT_NAMES} FROM stage_rows WHERE kind = 'm'
       ON CONFLICT (home_id, simulation_time) DO NOTHING),
     ins AS (
       INSERT INTO energy_trades (${TRADE_NAMES}) SELECT ${TRADE_NAMES} FROM stage_rows WHERE kind = 't'
       ON CONFLICT (home_id, simulation_time) DO NOTHING
       RETURNING home_id, grid_import_kwh, grid_export_kwh, import_cost, export_revenue),
     sums AS (SELECT home_id, sum(grid_import_kwh) AS imp, sum(grid_export_kwh) AS exp,
                     sum(import_cost) AS cost, sum(export_revenue) AS rev FROM ins GROUP BY home_id),
     m AS (SELECT DISTINCT ON (home_id) * FROM stage_rows WHERE kind = 'm'
            ORDER BY home_id, simulation_time DESC, seq DESC),
     b AS (SELECT DISTINCT ON (home_id) * FROM stage_rows WHERE kind = 'b'
            ORDER BY home_id, simulation_time DESC, seq DESC),
     keys AS (SELECT DISTINCT ON (home_id) home_id, region FROM stage_rows ORDER BY home_id, seq)
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

/** Prepared once per connection (pg keeps the name per connection). */
const MOVE_STATEMENT = { name: 'projections_move_staged', text: MOVE };

/** Connections whose staging tables exist (temporary tables live as long as their connection). */
const staged = new WeakSet<PoolClient>();

/** Makes the connection's staging table if it has none yet; run outside a transaction. */
export async function prepareStage(db: PoolClient): Promise<void> {
  if (staged.has(db)) return;
  await db.query(DDL);
  staged.add(db);
}

/**
 * Prepares the staging table and the moving statement on this connection, writing nothing (the
 * table is empty): a connection's first batch then starts on a planned statement.
 */
export async function warmStage(db: PoolClient): Promise<void> {
  await prepareStage(db);
  await db.query(MOVE_STATEMENT);
}

export const hasStagedRows = (r: StagedRows): boolean => r.stagedRows.length > 0;

/** Resolves when the COPY stream has delivered everything and PostgreSQL has taken it. */
function copyIn(db: PoolClient, lines: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const stream = db.query(copyFrom(COPY));
    stream.on('error', reject);
    stream.on('finish', () => resolve());
    stream.end(lines);
  });
}

/**
 * COPYs the rows into the staging table and moves them; the caller holds the transaction.
 * `again`: the transaction staged rows before (a reset splits a batch): empty the table first.
 * Each round trip waits for an event loop busy with arriving events, so the fewer the better.
 */
export async function writeStaged(db: PoolClient, rows: StagedRows, again = false): Promise<void> {
  if (again) await db.query('TRUNCATE stage_rows');
  await copyIn(db, Buffer.concat(rows.stagedRows));
  await db.query(MOVE_STATEMENT);
}
