/**
 * home_states from one batch in ONE statement (docs/read-side.md): a home's newest measurement,
 * its newest balance and the sums of its trades inserted now arrive together, so each home's row
 * is written once per batch instead of three times. The trades are inserted in the same statement
 * (a CTE): a replayed trade inserts nothing and so adds nothing to the sums.
 *
 * Newest-wins per part: the measured columns change only when the batch's measurement is at least
 * as new as the one held, the balance columns likewise; the trade sums always add.
 */
import type { PoolClient } from 'pg';
import type { BalanceUpdated, HomeMeasured } from '../shared/contract';
import type { Segment } from './model/plan';
import { tradeTotals } from './model/plan';
import { ENERGY_TRADES, unnestInsert, type Column } from './sql';

const MEASURED: Array<[Column, (e: HomeMeasured) => unknown]> = [
  [['city', 'text'], (e) => e.city],
  [['provider_id', 'text'], (e) => e.provider_id],
  [['contract_id', 'text'], (e) => e.contract_id],
  [['production_w', 'float8'], (e) => e.production_w],
  [['consumption_w', 'float8'], (e) => e.consumption_w],
  [['power_w', 'float8'], (e) => e.power_w],
  [['battery_kwh', 'float8'], (e) => e.battery_kwh],
  [['battery_capacity_kwh', 'float8'], (e) => e.battery_capacity_kwh],
  [['state_of_charge_pct', 'float8'], (e) => e.state_of_charge_pct],
  [['energy_import_kwh', 'float8'], (e) => e.energy_import_kwh],
  [['energy_export_kwh', 'float8'], (e) => e.energy_export_kwh],
  [['tariff', 'int2'], (e) => e.tariff],
  [['month_peak_kw', 'float8'], (e) => e.month_peak_kw],
  [['measured_at', 'timestamptz'], (e) => e.simulation_time],
];

const BALANCE: Array<[Column, (e: BalanceUpdated) => unknown]> = [
  [['balance_period_start', 'timestamptz'], (e) => e.period_start],
  [['balance_import_kwh', 'float8'], (e) => e.import_kwh],
  [['balance_export_kwh', 'float8'], (e) => e.export_kwh],
  [['balance_import_cost', 'float8'], (e) => e.import_cost],
  [['balance_export_revenue', 'float8'], (e) => e.export_revenue],
  [['balance_net_cost', 'float8'], (e) => e.net_cost],
  [['balance_eur', 'float8'], (e) => e.balance_eur],
  [['balance_at', 'timestamptz'], (e) => e.simulation_time],
];

const M_NEW =
  'EXCLUDED.measured_at IS NOT NULL AND (h.measured_at IS NULL OR h.measured_at <= EXCLUDED.measured_at)';
const B_NEW =
  'EXCLUDED.balance_at IS NOT NULL AND (h.balance_at IS NULL OR h.balance_at <= EXCLUDED.balance_at)';

const newestWins = (cols: Array<[Column, unknown]>, when: string) =>
  cols.map(([[n]]) => `${n} = CASE WHEN ${when} THEN EXCLUDED.${n} ELSE h.${n} END`).join(',\n  ');

interface HomeRow {
  region: string;
  measured?: HomeMeasured;
  balance?: BalanceUpdated;
}

export async function writeHomes(db: PoolClient, s: Segment): Promise<void> {
  const homes = new Map<string, HomeRow>();
  const row = (id: string, region: string) => {
    let r = homes.get(id);
    if (!r) homes.set(id, (r = { region }));
    return r;
  };
  for (const e of s.latestMeasured.values()) row(e.home_id, e.region).measured = e;
  for (const e of s.balances.values()) row(e.home_id, e.region).balance = e;
  for (const e of s.trades) row(e.home_id, e.region);
  if (homes.size === 0) return;

  const trades = unnestInsert(
    'energy_trades',
    ENERGY_TRADES,
    s.trades,
    (e) => {
      const t = tradeTotals(e);
      return [
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
      ];
    },
    'ON CONFLICT (home_id, simulation_time) DO NOTHING RETURNING home_id, grid_import_kwh, grid_export_kwh, import_cost, export_revenue',
    1,
  );
  const rows = [...homes.entries()];
  const columns: Column[] = [
    ['home_id', 'text'],
    ['region', 'text'],
    ...MEASURED.map(([c]) => c),
    ...BALANCE.map(([c]) => c),
  ];
  const first = trades.params.length + 1;
  const params: unknown[][] = columns.map(() => new Array(rows.length));
  rows.forEach(([id, r], i) => {
    params[0][i] = id;
    params[1][i] = r.region;
    MEASURED.forEach(([, get], c) => (params[2 + c][i] = r.measured ? get(r.measured) : null));
    BALANCE.forEach(([, get], c) => (params[2 + MEASURED.length + c][i] = r.balance ? get(r.balance) : null));
  });
  const names = columns.map(([n]) => n);
  const arrays = columns.map(([, t], i) => `$${first + i}::${t}[]`).join(', ');
  await db.query(
    `WITH ins AS (${trades.text}),
     sums AS (SELECT home_id, sum(grid_import_kwh) AS imp, sum(grid_export_kwh) AS exp,
                     sum(import_cost) AS cost, sum(export_revenue) AS rev FROM ins GROUP BY home_id),
     u AS (SELECT * FROM unnest(${arrays}) AS u(${names.join(', ')}))
     INSERT INTO home_states AS h (${names.join(', ')}, connected, trades_import_kwh, trades_export_kwh, cost_eur, revenue_eur)
     SELECT u.*, u.measured_at IS NOT NULL, coalesce(s.imp, 0), coalesce(s.exp, 0), coalesce(s.cost, 0), coalesce(s.rev, 0)
       FROM u LEFT JOIN sums s ON s.home_id = u.home_id
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
       updated_at = now()`,
    [...trades.params, ...params],
  );
}
