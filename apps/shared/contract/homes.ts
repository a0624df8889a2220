/** Events of the homes app (one per region): identity, measurements, trades, bills, contracts. */
import { z } from 'zod';
import { eur, eventBase, id, isoMonth, isoTime, kwh, pricePerKwh, region, watts } from './common';

export const addressSchema = z.object({
  street: z.string().min(1),
  city: z.string().min(1),
  postal_code: z.string().regex(/^[1-9]\d{3}$/, 'expected a 4-digit Belgian postal code'),
  region,
  latitude: z.number().min(49.4).max(51.6),
  longitude: z.number().min(2.5).max(6.5),
});

export const homeInitializedSchema = z.object({
  ...eventBase,
  home_id: id,
  name: z.string(),
  iot_provider: z.string(),
  address: addressSchema,
  region,
  city: z.string(),
  annual_consumption_kwh: z.number().positive(),
  solar_capacity_kw: z.number().nonnegative(),
  battery_capacity_kwh: z.number().nonnegative(),
  heat_pump: z.boolean(),
  ev: z.boolean(),
  meters: z.object({
    electricity_ean: z.string(),
    gas_ean: z.string().optional(),
    water_ean: z.string().optional(),
  }),
});
export type HomeInitialized = z.output<typeof homeInitializedSchema>;

export const homeConnectedSchema = z.object({ ...eventBase, home_id: id, region });
export const homeDisconnectedSchema = z.object({
  ...eventBase,
  home_id: id,
  region,
  reason: z.string(),
});

/** One reading per home per tick, with the P1 port's registers (1 = day, 2 = night). */
export const homeMeasuredSchema = z.object({
  ...eventBase,
  home_id: id,
  region,
  city: z.string(),
  production_w: watts,
  consumption_w: watts,
  /** + import, − export. */
  power_w: watts,
  battery_kwh: kwh,
  battery_capacity_kwh: kwh,
  state_of_charge_pct: z.number().min(0).max(100),
  energy_import_kwh: kwh,
  energy_export_kwh: kwh,
  tariff: z.union([z.literal(1), z.literal(2)]),
  provider_id: id.nullable(),
  contract_id: id.nullable(),
  electricity_delivered_tariff1_kwh: kwh,
  electricity_delivered_tariff2_kwh: kwh,
  electricity_returned_tariff1_kwh: kwh,
  electricity_returned_tariff2_kwh: kwh,
  voltage_v: z.number(),
  current_a: z.number(),
  frequency_hz: z.number(),
  /** Highest 15-minute import power of the current month (the capacity tariff's base). */
  month_peak_kw: z.number().nonnegative(),
});
export type HomeMeasured = z.output<typeof homeMeasuredSchema>;

export const tradedHourSchema = z.object({
  simulation_hour: isoTime,
  grid_import_kwh: kwh,
  grid_export_kwh: kwh,
  /** Supplier's energy price, excl. VAT. */
  energy_price_per_kwh: pricePerKwh,
  /** Regulated network costs and levies, excl. VAT. */
  network_price_per_kwh: pricePerKwh,
  export_price_per_kwh: pricePerKwh,
  /** Energy and network, VAT included; the bill carries capacity and fixed parts. */
  import_cost: eur,
  export_revenue: eur,
  net_cost: eur,
  is_day: z.boolean(),
});
export type TradedHour = z.output<typeof tradedHourSchema>;

export const homeTradedSchema = z.object({
  ...eventBase,
  home_id: id,
  region,
  provider_id: id.nullable(),
  contract_id: id.nullable(),
  hours: z.array(tradedHourSchema),
});
export type HomeTraded = z.output<typeof homeTradedSchema>;

/** The month's invoice, once per home per simulated month. */
export const homeBilledSchema = z.object({
  ...eventBase,
  home_id: id,
  region,
  month: isoMonth,
  provider_id: id.nullable(),
  contract_id: id.nullable(),
  consumption_kwh: kwh,
  production_kwh: kwh,
  self_consumed_kwh: kwh,
  import_kwh: kwh,
  export_kwh: kwh,
  peak_kw: z.number().nonnegative(),
  energy_cost: eur,
  network_cost: eur,
  capacity_cost: eur,
  fixed_cost: eur,
  vat: eur,
  export_revenue: eur,
  total: eur,
});
export type HomeBilled = z.output<typeof homeBilledSchema>;

/** Totals of the current contract period, once per simulated day (state, not a delta). */
export const balanceUpdatedSchema = z.object({
  ...eventBase,
  home_id: id,
  region,
  provider_id: id.nullable(),
  contract_id: id.nullable(),
  period_start: isoTime,
  import_kwh: kwh,
  export_kwh: kwh,
  import_cost: eur,
  export_revenue: eur,
  net_cost: eur,
  balance_eur: eur,
});
export type BalanceUpdated = z.output<typeof balanceUpdatedSchema>;

export const savingsSchema = z.object({
  baseline_cost: eur,
  new_cost: eur,
  discount: eur,
  gross_savings: eur,
  commission: eur,
  net_savings: eur,
});
export type Savings = z.output<typeof savingsSchema>;

export const contractSwitchedSchema = z.object({
  ...eventBase,
  ...savingsSchema.shape,
  home_id: id,
  region,
  old_provider_id: id.nullable(),
  new_provider_id: id,
  old_contract_id: id.nullable(),
  new_contract_id: id,
  offer_id: id,
});
export type ContractSwitched = z.output<typeof contractSwitchedSchema>;

export const contractExpiredSchema = z.object({
  ...eventBase,
  home_id: id,
  region,
  contract_id: id,
  provider_id: id,
  start_date: isoTime,
  end_date: isoTime,
});
export type ContractExpired = z.output<typeof contractExpiredSchema>;
