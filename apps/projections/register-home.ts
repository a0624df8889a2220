/**
 * RPC `be.cortexiq.energy.projections.register_home` (docs/read-side.md, "Queries"): adds a home to the read
 * models before (or without) its `home.initialized`, e.g. for a device registered by hand. The
 * contract module has no argument schema for it, so it lives here. Later events fill in the rest.
 */
import type { Pool } from 'pg';
import { z } from 'zod';
import { GatewayError } from '../../gateway/client';
import { id, region } from '../shared/contract';

export const registerHomeArgsSchema = z.strictObject({
  home_id: id,
  region,
  name: z.string().max(200).optional(),
  city: z.string().max(200).optional(),
  postal_code: z.string().max(20).optional(),
  street: z.string().max(200).optional(),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
});

export interface RegisterHomeResult {
  success: true;
  home_id: string;
  /** False when the home was already known (its row is left as it is, bar empty fields). */
  created: boolean;
}

export async function registerHome(pool: Pool, raw: unknown): Promise<RegisterHomeResult> {
  const parsed = registerHomeArgsSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new GatewayError('invalid_argument', `${issue.path.join('.') || 'arguments'}: ${issue.message}`);
  }
  const a = parsed.data;
  const r = await pool.query(
    `INSERT INTO home_states AS h (home_id, region, name, city, postal_code, street, latitude, longitude)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (home_id) DO UPDATE SET name = coalesce(h.name, EXCLUDED.name),
       city = coalesce(h.city, EXCLUDED.city), postal_code = coalesce(h.postal_code, EXCLUDED.postal_code),
       street = coalesce(h.street, EXCLUDED.street), latitude = coalesce(h.latitude, EXCLUDED.latitude),
       longitude = coalesce(h.longitude, EXCLUDED.longitude)
     RETURNING (xmax = 0) AS created`,
    [a.home_id, a.region, a.name, a.city, a.postal_code, a.street, a.latitude, a.longitude],
  );
  return { success: true, home_id: a.home_id, created: r.rows[0].created as boolean };
}
