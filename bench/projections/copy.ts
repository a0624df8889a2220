/**
 * The ceiling: the same PostgreSQL taking the same history rows by `COPY … FROM STDIN` (no gateway,
 * no parsing, no batching logic), both tables at once on two connections as the cores allow.
 * Rows are made before the clock starts; only the COPY is timed.
 */
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { Pool } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { homeId, tickTime } from './load';

function lines(
  homes: number,
  ticks: number,
  row: (home: string, at: string, i: number, t: number) => string,
): Buffer[] {
  const chunks: Buffer[] = [];
  let text = '';
  let n = 0;
  for (let t = 0; t < ticks; t++) {
    const at = tickTime(1_000_000 + t);
    for (let i = 0; i < homes; i++) {
      text += row(homeId(i), at, i, t);
      if (++n % 10_000 === 0) {
        chunks.push(Buffer.from(text));
        text = '';
      }
    }
  }
  if (text) chunks.push(Buffer.from(text));
  return chunks;
}

export async function copyRows(pool: Pool, table: string, columns: string, chunks: Buffer[]): Promise<void> {
  const client = await pool.connect();
  try {
    await pipeline(Readable.from(chunks), client.query(copyFrom(`COPY ${table} (${columns}) FROM STDIN`)));
  } finally {
    client.release();
  }
}

const uuid = (t: number, i: number, k: number) =>
  `00000000-0000-4000-8000-${(t * 1_000_000 + i * 10 + k).toString(16).padStart(12, '0')}`;

/** COPYs `homes × ticks` rows into energy_events and energy_trades; returns the seconds it took. */
export async function copyCeiling(
  pool: Pool,
  homes: number,
  ticks: number,
): Promise<{ rows: number; seconds: number }> {
  const events = lines(
    homes,
    ticks,
    (h, at, i, t) =>
      `${uuid(t, i, 1)}\t${h}\t${at}\t${(i * 37) % 4000}\t${400 + (i % 900)}\t0\t2\t40\t${t}\t${t / 2}\t1\tp-eddie\n`,
  );
  const trades = lines(
    homes,
    ticks,
    (h, at, i, t) =>
      `${uuid(t, i, 2)}\t${h}\tp-eddie\tc-1\t${at}\t${at}\t1\t1\t0.5\t1\t0\t0.265\t0.02\t0.245\t0.12\t0.13\t0.04\n`,
  );
  const t0 = process.hrtime.bigint();
  await Promise.all([
    copyRows(
      pool,
      'energy_events',
      'event_id, home_id, simulation_time, production_w, consumption_w, power_w, battery_kwh, state_of_charge_pct, energy_import_kwh, energy_export_kwh, tariff, provider_id',
      events,
    ),
    copyRows(
      pool,
      'energy_trades',
      'event_id, home_id, provider_id, contract_id, simulation_time, first_hour, hours, grid_import_kwh, grid_export_kwh, import_day_kwh, import_night_kwh, import_cost, export_revenue, net_cost, energy_price_per_kwh, network_price_per_kwh, export_price_per_kwh',
      trades,
    ),
  ]);
  return { rows: 2 * homes * ticks, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}
