/**
 * The two summaries both read-side apps serve (docs/read-side.md, "Queries"): `get_overview` (the queries app) and
 * `projections.totals_calculated` (the projections app) are the same figures, and
 * `get_region_summary`. Computed live from the read models: a few thousand home rows, well within
 * the latency budget (docs/read-side.md has the figures).
 */
import type { Pool } from 'pg';
import { REGIONS } from '../env';
import type { Overview, RegionSummary } from '../contract';

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export async function readOverview(pool: Pool): Promise<Overview> {
  const r = await pool.query(`
    SELECT s.simulation_time, s.speed, s.paused, s.day_ahead_eur_per_kwh, h.*, w.*
      FROM system_stats s,
      LATERAL (SELECT count(*) AS total_homes,
                      count(*) FILTER (WHERE connected) AS connected_homes,
                      sum(production_w) FILTER (WHERE connected) AS production_w,
                      sum(consumption_w) FILTER (WHERE connected) AS consumption_w,
                      avg(state_of_charge_pct) FILTER (WHERE battery_capacity_kwh > 0) AS avg_battery_pct,
                      sum(energy_import_kwh) AS energy_bought_kwh,
                      sum(energy_export_kwh) AS energy_sold_kwh,
                      sum(cost_eur) AS cost_eur,
                      sum(revenue_eur) AS revenue_eur
                 FROM home_states) h,
      LATERAL (SELECT count(*) AS contract_switches,
                      sum(net_savings) AS customer_savings_eur,
                      sum(commission) AS commission_eur
                 FROM contract_switches) w
     WHERE s.id = 1`);
  const row = r.rows[0] ?? {};
  const cost = num(row.cost_eur);
  const revenue = num(row.revenue_eur);
  return {
    simulation_time: row.simulation_time ? new Date(row.simulation_time).toISOString() : null,
    speed: numOrNull(row.speed),
    paused: row.paused ?? null,
    total_homes: num(row.total_homes),
    connected_homes: num(row.connected_homes),
    production_w: num(row.production_w),
    consumption_w: num(row.consumption_w),
    avg_battery_pct: num(row.avg_battery_pct),
    energy_bought_kwh: num(row.energy_bought_kwh),
    energy_sold_kwh: num(row.energy_sold_kwh),
    cost_eur: cost,
    revenue_eur: revenue,
    net_balance_eur: revenue - cost,
    contract_switches: num(row.contract_switches),
    customer_savings_eur: num(row.customer_savings_eur),
    commission_eur: num(row.commission_eur),
    day_ahead_eur_per_kwh: numOrNull(row.day_ahead_eur_per_kwh),
  };
}

/** Every region (REGIONS: docs/read-side.md, "Queries"), also those without homes yet (zeros). */
export async function readRegionSummary(pool: Pool): Promise<RegionSummary> {
  const r = await pool.query(
    `SELECT region.name AS region, h.*, sw.contract_switches, b.avg_bill_eur_per_month
       FROM unnest($1::text[]) AS region(name)
       LEFT JOIN LATERAL (SELECT count(*) AS total_homes,
                                 count(*) FILTER (WHERE connected) AS connected_homes,
                                 sum(production_w) FILTER (WHERE connected) AS production_w,
                                 sum(consumption_w) FILTER (WHERE connected) AS consumption_w,
                                 avg(state_of_charge_pct) FILTER (WHERE battery_capacity_kwh > 0) AS avg_battery_pct
                            FROM home_states WHERE home_states.region = region.name) h ON true
       LEFT JOIN LATERAL (SELECT count(*) AS contract_switches FROM contract_switches c
                           WHERE c.region = region.name) sw ON true
       LEFT JOIN LATERAL (SELECT avg(total) AS avg_bill_eur_per_month FROM home_bills b
                           WHERE b.region = region.name) b ON true
      ORDER BY region.name`,
    [REGIONS],
  );
  return {
    regions: r.rows.map((row) => ({
      region: row.region,
      total_homes: num(row.total_homes),
      connected_homes: num(row.connected_homes),
      production_w: num(row.production_w),
      consumption_w: num(row.consumption_w),
      avg_battery_pct: num(row.avg_battery_pct),
      contract_switches: num(row.contract_switches),
      avg_bill_eur_per_month: numOrNull(row.avg_bill_eur_per_month),
    })),
  };
}
