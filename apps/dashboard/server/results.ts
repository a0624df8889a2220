/**
 * Result shapes of the query procedures the contract does not fix (apps/shared/contract/read-side.ts
 * has only the overview and the region summary). They name the fields the pages read and let any
 * other field through, so the queries app may add to its answers without breaking the dashboard; an
 * answer without them is a 502 that says which field is missing.
 */
import { z } from 'zod';

const num = z.number().nullable();

export const homeSummarySchema = z.looseObject({
  home_id: z.string(),
  name: z.string().nullable(),
  region: z.string().nullable(),
  city: z.string().nullable(),
  connected: z.boolean().nullable().optional(),
  provider_id: z.string().nullable().optional(),
  production_w: num.optional(),
  consumption_w: num.optional(),
  state_of_charge_pct: num.optional(),
});
export type HomeSummary = z.output<typeof homeSummarySchema>;

export const homesPageSchema = z.looseObject({
  homes: z.array(homeSummarySchema),
  page: z.number(),
  page_size: z.number(),
  total: z.number(),
  total_pages: z.number(),
});

export const searchResultSchema = z.looseObject({ homes: z.array(homeSummarySchema) });

export const homeDetailSchema = homeSummarySchema.extend({
  latitude: num.optional(),
  longitude: num.optional(),
  solar_capacity_kw: num.optional(),
  battery_capacity_kwh: num.optional(),
  annual_consumption_kwh: num.optional(),
});

export const homeHistorySchema = z.looseObject({
  home_id: z.string(),
  points: z.array(
    z.looseObject({
      simulation_time: z.string().nullable(),
      production_w: num,
      consumption_w: num,
      state_of_charge_pct: num.optional(),
    }),
  ),
});

export const homeTradesSchema = z.looseObject({
  home_id: z.string(),
  trades: z.array(z.looseObject({ simulation_time: z.string().nullable(), net_cost: num.optional() })),
});

export const homeBillsSchema = z.looseObject({
  home_id: z.string(),
  bills: z.array(z.looseObject({ month: z.string(), total: z.union([z.number(), z.string()]).nullable() })),
});

export const locationsSchema = z.looseObject({
  locations: z.array(
    z.looseObject({
      city: z.string(),
      region: z.string().nullable(),
      homes: z.number(),
      latitude: num,
      longitude: num,
    }),
  ),
});

export const homesByLocationSchema = z.looseObject({
  location: z.string(),
  homes: z.array(homeSummarySchema),
});

export const providersSchema = z.looseObject({
  providers: z.array(
    z.looseObject({
      provider_id: z.string(),
      provider_name: z.string().nullable(),
      customers: z.number(),
      market_share: z.number(),
    }),
  ),
});

export const marketPricesSchema = z.looseObject({
  prices: z.array(z.object({ hour: z.string(), eur_per_kwh: z.number() })),
});
