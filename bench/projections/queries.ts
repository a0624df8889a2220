/**
 * Query latency: a simulated year of 3,000 homes in the tables (COPY: 300 ticks of 29.2 simulated
 * hours, the default speed's year; 12 bills per home; 8,760 hourly prices; switches; providers),
 * the queries app on the hub, and 50 concurrent callers on an edge gateway calling one procedure
 * at a time for a fixed duration.
 */
import type { Pool } from 'pg';
import { PROCEDURES } from '../../apps/shared/contract';
import type { GatewayClient } from '../../gateway/client';
import { copyRows } from './copy';
import { percentile } from './ingest';

const START_MS = Date.parse('2025-01-01T00:00:00Z');
const TICK_H = 29.2;
const REGIONS = ['antwerp', 'brabant', 'east-flanders'];
const STREETS = [
  'Kerkstraat',
  'Stationsstraat',
  'Molenstraat',
  'Dorpsstraat',
  'Schoolstraat',
  'Nieuwstraat',
  'Kapelstraat',
  'Beekstraat',
  'Veldstraat',
  'Hoogstraat',
];
const CITIES = [
  'Mechelen',
  'Lier',
  'Leuven',
  'Aalst',
  'Gent',
  'Antwerpen',
  'Tienen',
  'Lokeren',
  'Herentals',
  'Geel',
];

export const yearHome = (i: number) => `year-home-${String(i).padStart(4, '0')}`;

function chunked(count: number, row: (k: number) => string): Buffer[] {
  const out: Buffer[] = [];
  let text = '';
  for (let k = 0; k < count; k++) {
    text += row(k);
    if ((k + 1) % 10_000 === 0) {
      out.push(Buffer.from(text));
      text = '';
    }
  }
  if (text) out.push(Buffer.from(text));
  return out;
}

export async function seedYear(pool: Pool, homes: number, ticks = 300): Promise<{ rows: number }> {
  const at = (t: number) => new Date(START_MS + t * TICK_H * 3_600_000).toISOString();
  const last = at(ticks);
  await copyRows(
    pool,
    'home_states',
    'home_id, name, region, city, postal_code, street, latitude, longitude, connected, provider_id, contract_id, production_w, consumption_w, power_w, battery_kwh, battery_capacity_kwh, state_of_charge_pct, energy_import_kwh, energy_export_kwh, tariff, measured_at, cost_eur, revenue_eur',
    chunked(
      homes,
      (i) =>
        [
          yearHome(i),
          `Home ${i}`,
          REGIONS[i % 3],
          CITIES[i % 10],
          String(2000 + (i % 900)),
          `${STREETS[(i >> 2) % 10]} ${i % 120}`,
          51 + (i % 50) / 100,
          4 + (i % 70) / 100,
          't',
          `p-${i % 15}`,
          `c-${i}`,
          (i * 37) % 4000,
          400 + (i % 900),
          0,
          2,
          i % 4 === 0 ? 6 : 0,
          40 + (i % 50),
          3500,
          900,
          1,
          last,
          1100 + (i % 300),
          90,
        ].join('\t') + '\n',
    ),
  );
  const n = homes * ticks;
  await Promise.all([
    copyRows(
      pool,
      'energy_events',
      'event_id, home_id, simulation_time, production_w, consumption_w, power_w, battery_kwh, state_of_charge_pct, energy_import_kwh, energy_export_kwh, tariff, provider_id',
      chunked(n, (k) => {
        const i = k % homes;
        const t = Math.floor(k / homes) + 1;
        return `ev-${k}\t${yearHome(i)}\t${at(t)}\t${(k * 37) % 4000}\t${400 + (k % 900)}\t0\t2\t${40 + (k % 50)}\t${t * 12}\t${t * 3}\t1\tp-${i % 15}\n`;
      }),
    ),
    copyRows(
      pool,
      'energy_trades',
      'event_id, home_id, provider_id, contract_id, simulation_time, first_hour, hours, grid_import_kwh, grid_export_kwh, import_day_kwh, import_night_kwh, import_cost, export_revenue, net_cost, energy_price_per_kwh, network_price_per_kwh, export_price_per_kwh',
      chunked(n, (k) => {
        const i = k % homes;
        const t = Math.floor(k / homes) + 1;
        return `tr-${k}\t${yearHome(i)}\tp-${i % 15}\tc-${i}\t${at(t)}\t${at(t - 1)}\t29\t12\t3\t8\t4\t3.1\t0.1\t3.0\t0.12\t0.13\t0.04\n`;
      }),
    ),
  ]);
  await copyRows(
    pool,
    'home_bills',
    'home_id, month, event_id, region, provider_id, contract_id, consumption_kwh, production_kwh, self_consumed_kwh, import_kwh, export_kwh, peak_kw, energy_cost, network_cost, capacity_cost, fixed_cost, vat, export_revenue, total, simulation_time',
    chunked(homes * 12, (k) => {
      const i = Math.floor(k / 12);
      const m = (k % 12) + 1;
      const month = `2025-${String(m).padStart(2, '0')}`;
      return `${yearHome(i)}\t${month}\tbill-${k}\t${REGIONS[i % 3]}\tp-${i % 15}\tc-${i}\t290\t300\t110\t180\t190\t3.2\t22\t27\t14\t5\t4\t7\t${80 + (k % 60)}\t${month}-28T00:00:00Z\n`;
    }),
  );
  await copyRows(
    pool,
    'market_prices',
    'hour, eur_per_kwh',
    chunked(8760, (h) => `${new Date(START_MS + h * 3_600_000).toISOString()}\t${0.05 + (h % 24) / 400}\n`),
  );
  await copyRows(
    pool,
    'contract_switches',
    'event_id, home_id, region, old_provider_id, new_provider_id, old_contract_id, new_contract_id, baseline_cost, new_cost, discount, gross_savings, commission, net_savings, simulation_time',
    chunked(Math.floor(homes / 5), (k) => {
      const i = k * 5;
      return `sw-${k}\t${yearHome(i)}\t${REGIONS[i % 3]}\tp-1\tp-2\tc-${i}\tc2-${i}\t1200\t1100\t0\t100\t20\t80\t${at(1 + (k % ticks))}\n`;
    }),
  );
  await pool.query(
    `INSERT INTO provider_states (provider_id, provider_name, strategy, region, contract_type, offer_id, offer, offered_at)
     SELECT 'p-' || g, 'Provider ' || g, 'steady_eddie', 'antwerp', 'static', 'o-' || g,
            jsonb_build_object('day_buy_price', 0.12 + g / 100.0, 'night_buy_price', 0.09), $1::timestamptz
       FROM generate_series(0, 14) AS g`,
    [last],
  );
  await pool.query(
    'UPDATE system_stats SET simulation_time = $1, speed = 105120, paused = false, tick = $2, day_ahead_eur_per_kwh = 0.08',
    [last, ticks],
  );
  await pool.query('VACUUM ANALYZE');
  return { rows: 2 * n + homes * 13 + 8760 };
}

export interface LatencyResult {
  procedure: string;
  calls: number;
  p50: number;
  p99: number;
  errors: number;
}

/** `callers` loops calling `procedure` (args made per call) for `seconds`, spread over `clients`. */
export async function measure(
  clients: GatewayClient[],
  callers: number,
  seconds: number,
  procedure: string,
  args: () => unknown,
): Promise<LatencyResult> {
  const latencies: number[] = [];
  let errors = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: callers }, async (_, c) => {
      const client = clients[c % clients.length];
      while (Date.now() < until) {
        const t0 = process.hrtime.bigint();
        try {
          await client.call(procedure, args(), { timeoutMs: 10_000 });
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        } catch {
          errors++;
        }
      }
    }),
  );
  return {
    procedure: procedure.split('.').pop()!,
    calls: latencies.length,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    errors,
  };
}

export function querySuite(homes: number): Array<{ procedure: string; args: () => unknown }> {
  const pick = () => yearHome(Math.floor(Math.random() * homes));
  return [
    { procedure: PROCEDURES.getOverview, args: () => undefined },
    {
      procedure: PROCEDURES.getHomes,
      args: () => ({
        page: 1 + Math.floor(Math.random() * 3),
        page_size: 50,
        search: STREETS[Math.floor(Math.random() * 10)].slice(0, 5),
      }),
    },
    { procedure: PROCEDURES.getHomeHistory, args: () => ({ home_id: pick(), hours: 24 }) },
    { procedure: PROCEDURES.getRegionSummary, args: () => undefined },
  ];
}
