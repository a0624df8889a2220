/**
 * The read side: aggregates the projections app publishes, and the query procedures' arguments and
 * the result shapes the dashboard relies on.
 */
import { z } from 'zod';
import { eur, eventBase, id, isoTime, region, watts } from './common';

export const totalsCalculatedSchema = z.object({
  ...eventBase,
  total_homes: z.number().int().nonnegative(),
  connected_homes: z.number().int().nonnegative(),
  production_w: watts,
  consumption_w: watts,
  avg_battery_pct: z.number(),
  energy_bought_kwh: z.number(),
  energy_sold_kwh: z.number(),
  cost_eur: eur,
  revenue_eur: eur,
  net_balance_eur: eur,
  contract_switches: z.number().int().nonnegative(),
  customer_savings_eur: eur,
  commission_eur: eur,
});

export const historyUpdatedSchema = z.object({
  ...eventBase,
  points: z.array(
    z.object({
      simulation_time: isoTime,
      production_w: watts,
      consumption_w: watts,
      avg_battery_pct: z.number(),
      day_ahead_eur_per_kwh: z.number().nullable(),
    }),
  ),
});

export const providerMetricsCalculatedSchema = z.object({
  ...eventBase,
  providers: z.array(
    z.object({
      provider_id: id,
      provider_name: z.string(),
      customers: z.number().int().nonnegative(),
      market_share: z.number().min(0).max(1),
      rank: z.number().int().positive(),
      trend: z.enum(['up', 'down', 'flat']),
      competitiveness: z.number(),
    }),
  ),
});

export const cityMeasuredSchema = z.object({
  ...eventBase,
  cities: z.array(
    z.object({
      city: z.string(),
      region,
      homes: z.number().int().nonnegative(),
      production_w: watts,
      consumption_w: watts,
    }),
  ),
});

export const metricsThroughputSchema = z.object({
  ...eventBase,
  events_per_s: z.number().nonnegative(),
  measurements_per_s: z.number().nonnegative(),
  homes_online: z.number().int().nonnegative(),
  projection_lag_ms: z.number().nonnegative(),
});

// Query arguments. Unknown keys are rejected so a typo is an invalid_argument, not a silent default.
const noArgs = z.union([z.undefined(), z.null(), z.strictObject({})]);
const homeIdArgs = z.strictObject({ home_id: id });
const hoursBack = z
  .number()
  .int()
  .min(1)
  .max(24 * 366);

export const queryArgsSchemas = {
  get_overview: noArgs,
  get_home: homeIdArgs,
  get_homes: z.strictObject({
    page: z.number().int().min(1).default(1),
    page_size: z.number().int().min(1).max(100).default(20),
    region: region.optional(),
    search: z.string().max(200).optional(),
    sort_by: z
      .enum(['home_id', 'name', 'city', 'region', 'production_w', 'consumption_w', 'state_of_charge_pct'])
      .default('home_id'),
    sort_direction: z.enum(['asc', 'desc']).default('asc'),
  }),
  get_providers: noArgs,
  search_homes: z.strictObject({
    query: z.string().min(1).max(200),
    limit: z.number().int().min(1).max(100).default(20),
  }),
  get_locations: noArgs,
  get_homes_by_location: z.strictObject({ location: z.string().min(1).max(200) }),
  get_home_history: z.strictObject({ home_id: id, hours: hoursBack.default(24) }),
  get_home_trades: z.strictObject({ home_id: id, hours: hoursBack.default(24) }),
  get_home_bills: homeIdArgs,
  get_market_prices: z.strictObject({ hours: hoursBack.default(48) }),
  home_exists: homeIdArgs,
  provider_exists: z.strictObject({ provider_id: id }),
  get_region_summary: noArgs,
} as const;

export const overviewSchema = z.object({
  simulation_time: isoTime.nullable(),
  speed: z.number().nullable(),
  paused: z.boolean().nullable(),
  total_homes: z.number().int().nonnegative(),
  connected_homes: z.number().int().nonnegative(),
  production_w: watts,
  consumption_w: watts,
  avg_battery_pct: z.number(),
  energy_bought_kwh: z.number(),
  energy_sold_kwh: z.number(),
  cost_eur: eur,
  revenue_eur: eur,
  net_balance_eur: eur,
  contract_switches: z.number().int().nonnegative(),
  customer_savings_eur: eur,
  commission_eur: eur,
  day_ahead_eur_per_kwh: z.number().nullable(),
});
export type Overview = z.output<typeof overviewSchema>;

export const regionSummarySchema = z.object({
  regions: z.array(
    z.object({
      region,
      total_homes: z.number().int().nonnegative(),
      connected_homes: z.number().int().nonnegative(),
      production_w: watts,
      consumption_w: watts,
      avg_battery_pct: z.number(),
      contract_switches: z.number().int().nonnegative(),
      avg_bill_eur_per_month: eur.nullable(),
    }),
  ),
});
export type RegionSummary = z.output<typeof regionSummarySchema>;
