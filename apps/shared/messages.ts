/**
 * Schemas of the events the apps consume (domain.md §2–4). Only the fields a consumer relies on are
 * required; extra fields pass through. Timestamps are parsed to epoch ms here, once.
 */
import { z } from 'zod';

const isoMs = z.string().transform((value, ctx) => {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: 'expected an ISO 8601 timestamp' });
    return z.NEVER;
  }
  return ms;
});

const price = z.number().finite().min(-10).max(10);
const id = z.string().min(1).max(200);

export const timeAdvancedSchema = z.object({
  simulation_time: isoMs,
  speed: z.number().positive(),
  paused: z.boolean(),
  tick: z.number().int().nonnegative(),
});
export type TimeAdvanced = z.output<typeof timeAdvancedSchema>;

export const resetSchema = z.object({ new_start_time: isoMs });

const offerCommon = {
  offer_id: id,
  provider_id: id,
  provider_name: z.string(),
  strategy: z.string(),
  region: z.string(),
  duration_months: z.number().int().positive(),
  switching_discount: z.number().finite().nonnegative(),
  minimum_monthly_kwh: z.number().finite().nonnegative(),
  valid_from: isoMs,
};

/** `market.contract_proposed`: static offers carry four prices, dynamic ones a markup and a markdown. */
export const offerSchema = z.discriminatedUnion('contract_type', [
  z.object({
    ...offerCommon,
    contract_type: z.literal('static'),
    day_buy_price: price,
    night_buy_price: price,
    day_sell_price: price,
    night_sell_price: price,
  }),
  z.object({
    ...offerCommon,
    contract_type: z.literal('dynamic'),
    buy_markup: price,
    sell_markdown: price,
  }),
]);
export type Offer = z.output<typeof offerSchema>;

export const spotPriceSchema = z.object({ provider_id: id, buy_price: price, sell_price: price });

export const homeMeasuredSchema = z.object({
  home_id: id,
  region: z.string(),
  power_w: z.number().finite(),
  provider_id: id.nullable(),
});

export const contractSwitchedSchema = z.object({
  home_id: id,
  old_provider_id: id.nullable(),
  new_provider_id: id,
  new_contract_id: id,
});

export const contractExpiredSchema = z.object({ home_id: id, contract_id: id, provider_id: id });

/** RPC `provider.{id}.accept_offer` arguments (domain.md §4). */
export const acceptOfferArgsSchema = z.object({
  home_id: id,
  offer_id: id,
  reason: z.string().max(200).optional(),
});

export const acceptOfferResultSchema = z.union([
  z.object({ success: z.literal(true), contract_id: id, start_date: isoMs, end_date: isoMs }),
  z.object({ success: z.literal(false), reason: z.string() }),
]);
