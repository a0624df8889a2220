/** Events and the RPC of the providers (utilities app, one per region). */
import { z } from 'zod';
import { eur, eventBase, id, isoTime, pricePerKwh, region } from './common';

export const STRATEGIES = [
  'steady_eddie',
  'night_owl',
  'solar_surfer',
  'peak_predator',
  'discount_king',
] as const;
export type Strategy = (typeof STRATEGIES)[number];

const offerCommon = {
  ...eventBase,
  offer_id: id,
  provider_id: id,
  provider_name: z.string(),
  strategy: z.enum(STRATEGIES),
  region,
  duration_months: z.number().int().positive(),
  fixed_fee_per_year: eur.nonnegative(),
  switching_discount: eur.nonnegative(),
  minimum_monthly_kwh: z.number().finite().nonnegative(),
  valid_from: isoTime,
};

/** Energy prices only, excl. VAT: network costs are the same whoever supplies. */
export const staticOfferSchema = z.object({
  ...offerCommon,
  contract_type: z.literal('static'),
  day_buy_price: pricePerKwh,
  night_buy_price: pricePerKwh,
  day_sell_price: pricePerKwh,
  night_sell_price: pricePerKwh,
});

/** Day-ahead plus a markup to buy, minus a markdown for what is injected. */
export const dynamicOfferSchema = z.object({
  ...offerCommon,
  contract_type: z.literal('dynamic'),
  buy_markup: pricePerKwh,
  sell_markdown: pricePerKwh,
});

export const contractProposedSchema = z.discriminatedUnion('contract_type', [
  staticOfferSchema,
  dynamicOfferSchema,
]);
export type ContractProposed = z.output<typeof contractProposedSchema>;

export const providerHourSchema = z.object({
  hour: isoTime,
  buy_price: pricePerKwh,
  sell_price: pricePerKwh,
});
export type ProviderHour = z.output<typeof providerHourSchema>;

/** A provider's dynamic prices for every hour of a tick. */
export const spotPriceUpdatedSchema = z.object({
  ...eventBase,
  provider_id: id,
  hours: z.array(providerHourSchema),
});
export type SpotPriceUpdated = z.output<typeof spotPriceUpdatedSchema>;

const confirmedTerms = {
  offer_id: id,
  provider_id: id,
  provider_name: z.string(),
  strategy: z.enum(STRATEGIES),
  region,
  duration_months: z.number().int().positive(),
  fixed_fee_per_year: eur.nonnegative(),
  switching_discount: eur.nonnegative(),
  minimum_monthly_kwh: z.number().finite().nonnegative(),
  contract_id: id,
  home_id: id,
  start_date: isoTime,
  end_date: isoTime,
};

export const contractConfirmedSchema = z.discriminatedUnion('contract_type', [
  z.object({
    ...eventBase,
    ...confirmedTerms,
    contract_type: z.literal('static'),
    day_buy_price: pricePerKwh,
    night_buy_price: pricePerKwh,
    day_sell_price: pricePerKwh,
    night_sell_price: pricePerKwh,
  }),
  z.object({
    ...eventBase,
    ...confirmedTerms,
    contract_type: z.literal('dynamic'),
    buy_markup: pricePerKwh,
    sell_markdown: pricePerKwh,
  }),
]);
export type ContractConfirmed = z.output<typeof contractConfirmedSchema>;

export const contractRejectedSchema = z.object({
  ...eventBase,
  provider_id: id,
  home_id: id,
  offer_id: id,
  reason: z.string(),
});
export type ContractRejected = z.output<typeof contractRejectedSchema>;

/** RPC `provider.{id}.accept_offer`. */
export const acceptOfferArgsSchema = z.object({
  home_id: id,
  offer_id: id,
  reason: z.string().max(200).optional(),
});
export type AcceptOfferArgs = z.output<typeof acceptOfferArgsSchema>;

export const acceptOfferResultSchema = z.union([
  z.object({ success: z.literal(true), contract_id: id, start_date: isoTime, end_date: isoTime }),
  z.object({ success: z.literal(false), reason: z.string() }),
]);
export type AcceptOfferResult = z.output<typeof acceptOfferResultSchema>;
