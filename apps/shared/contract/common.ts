/**
 * Building blocks of the event schemas: the wire form (ISO 8601 strings, snake_case keys, EUR, kWh,
 * W) is what the schemas describe, so a publisher's payload type and a subscriber's parse agree.
 */
import { z } from 'zod';
import { REGIONS } from '../env';

/** An ISO 8601 UTC timestamp as published (`Date.prototype.toISOString`). */
export const isoTime = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'expected an ISO 8601 timestamp');
/** A calendar day, YYYY-MM-DD. */
export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
/** A calendar month, YYYY-MM. */
export const isoMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM');
export const id = z.string().min(1).max(200);
export const region = z.enum(REGIONS);
/** €/kWh: bounded so that a unit mistake (€/MWh) fails validation instead of ruining a bill. */
export const pricePerKwh = z.number().finite().min(-10).max(10);
export const eur = z.number().finite();
export const kwh = z.number().finite();
export const watts = z.number().finite();

/** What every event carries (docs/domain.md, "Events"): a unique id for idempotent projections. */
export const eventBase = {
  event_id: id,
  simulation_time: isoTime,
};

/** Epoch ms of a wire timestamp that passed `isoTime`. */
export function toMs(iso: string): number {
  return Date.parse(iso);
}
