/**
 * Writes a batch plan (model/plan.ts) to PostgreSQL: per table one multi-row statement
 * (`unnest` of one array per column: a fixed number of parameters whatever the batch size), all in
 * one transaction with the plan's resets. Every statement is parameterised; the SQL text is fixed.
 *
 * A segment is first turned into its steps (`segmentSteps`), then run in order. The ticks' rows
 * (measurements, trades, balances) are one step: COPY into staging tables and one statement that
 * moves them (stage.ts).
 */
import type { PoolClient } from 'pg';
import type { Segment } from './model/plan';
import { type Column, type Statement, unnestInsert } from './sql';
import { hasStagedRows, prepareStage, warmStage, writeStaged, type StagedRows } from './stage';

/** A statement, or the segment's staged rows (stage.ts). */
export type Step = Statement | { staged: StagedRows };

function run<R>(
  out: Step[],
  table: string,
  columns: readonly Column[],
  rows: readonly R[],
  values: (row: R) => unknown[],
  tail: string,
): void {
  if (rows.length === 0) return;
  const q = unnestInsert(table, columns, rows, values, tail);
  out.push({ text: q.text, values: q.params });
}

const excluded = (cols: readonly Column[], skip: string[] = []): string =>
  cols
    .filter(([n]) => !skip.includes(n))
    .map(([n]) => `${n} = EXCLUDED.${n}`)
    .join(', ');

const HOME_IDENTITY: Column[] = [
  ['home_id', 'text'],
  ['name', 'text'],
  ['region', 'text'],
  ['city', 'text'],
  ['postal_code', 'text'],
  ['street', 'text'],
  ['latitude', 'float8'],
  ['longitude', 'float8'],
  ['iot_provider', 'text'],
  ['electricity_ean', 'text'],
  ['solar_capacity_kw', 'float8'],
  ['battery_capacity_kwh', 'float8'],
  ['annual_consumption_kwh', 'float8'],
];

const HOME_BILLS: Column[] = [
  ['home_id', 'text'],
  ['month', 'text'],
  ['event_id', 'text'],
  ['region', 'text'],
  ['provider_id', 'text'],
  ['contract_id', 'text'],
  ['consumption_kwh', 'float8'],
  ['production_kwh', 'float8'],
  ['self_consumed_kwh', 'float8'],
  ['import_kwh', 'float8'],
  ['export_kwh', 'float8'],
  ['peak_kw', 'float8'],
  ['energy_cost', 'float8'],
  ['network_cost', 'float8'],
  ['capacity_cost', 'float8'],
  ['fixed_cost', 'float8'],
  ['vat', 'float8'],
  ['export_revenue', 'float8'],
  ['total', 'float8'],
  ['simulation_time', 'timestamptz'],
];

const SWITCHES: Column[] = [
  ['event_id', 'text'],
  ['home_id', 'text'],
  ['region', 'text'],
  ['old_provider_id', 'text'],
  ['new_provider_id', 'text'],
  ['old_contract_id', 'text'],
  ['new_contract_id', 'text'],
  ['baseline_cost', 'float8'],
  ['new_cost', 'float8'],
  ['discount', 'float8'],
  ['gross_savings', 'float8'],
  ['commission', 'float8'],
  ['net_savings', 'float8'],
  ['simulation_time', 'timestamptz'],
];

const CONTRACT_EVENTS: Column[] = [
  ['event_id', 'text'],
  ['event_type', 'text'],
  ['home_id', 'text'],
  ['provider_id', 'text'],
  ['contract_id', 'text'],
  ['offer_id', 'text'],
  ['simulation_time', 'timestamptz'],
  ['payload', 'jsonb'],
];

/** Every read model, cleared together by a reset (system_stats is one row: reset in place). */
export const READ_MODEL_TABLES = [
  'home_states',
  'provider_states',
  'region_stats',
  'contract_switches',
  'contract_events',
  'energy_events',
  'energy_trades',
  'home_bills',
  'market_prices',
  'metrics_timeseries',
] as const;

function resetAll(out: Step[], newStart: string): void {
  out.push({ text: `TRUNCATE ${READ_MODEL_TABLES.join(', ')}` });
  out.push({
    text: `UPDATE system_stats SET simulation_time = $1, speed = NULL, paused = false, tick = NULL,
       day_ahead_eur_per_kwh = NULL, state_at = NULL, reset_at = $1, updated_at = now()`,
    values: [newStart],
  });
}

/** Makes what the steps need on this connection; run before the transaction. */
export const prepareWriter = prepareStage;

/** Makes and plans what a batch needs on this connection, writing nothing. */
export const warmWriter = warmStage;

/** Runs steps in order; the caller holds the transaction (and ran `prepareWriter` before it). */
export async function runSteps(db: PoolClient, steps: readonly Step[]): Promise<void> {
  let stagedBefore = false;
  for (const step of steps) {
    if ('staged' in step) {
      await writeStaged(db, step.staged, stagedBefore);
      stagedBefore = true;
    } else await db.query(step);
  }
}

/** Applies one segment; the caller holds the transaction. */
export async function writeSegment(db: PoolClient, s: Segment): Promise<void> {
  await runSteps(db, segmentSteps(s));
}

/** The steps of one segment, in the order they must run (in one transaction). */
export function segmentSteps(s: Segment): Step[] {
  const out: Step[] = [];
  if (s.reset) resetAll(out, s.reset.new_start_time);

  run(
    out,
    'home_states',
    HOME_IDENTITY,
    [...s.initialized.values()],
    (e) => [
      e.home_id,
      e.name,
      e.region,
      e.address.city,
      e.address.postal_code,
      e.address.street,
      e.address.latitude,
      e.address.longitude,
      e.iot_provider,
      e.meters.electricity_ean,
      e.solar_capacity_kw,
      e.battery_capacity_kwh,
      e.annual_consumption_kwh,
    ],
    `ON CONFLICT (home_id) DO UPDATE SET ${excluded(HOME_IDENTITY, ['home_id'])}, updated_at = now()`,
  );

  run(
    out,
    'home_states AS h',
    [
      ['home_id', 'text'],
      ['region', 'text'],
      ['connected', 'bool'],
      ['disconnect_reason', 'text'],
      ['connection_changed_at', 'timestamptz'],
    ],
    [...s.connections.values()],
    (c) => [c.home_id, c.region, c.connected, c.reason, c.at],
    `ON CONFLICT (home_id) DO UPDATE SET connected = EXCLUDED.connected,
       disconnect_reason = EXCLUDED.disconnect_reason, connection_changed_at = EXCLUDED.connection_changed_at,
       updated_at = now()
     WHERE h.connection_changed_at IS NULL OR h.connection_changed_at <= EXCLUDED.connection_changed_at`,
  );

  // History rows, the homes' latest state and the trades: one step.
  if (hasStagedRows(s)) out.push({ staged: s });

  run(
    out,
    'home_bills',
    HOME_BILLS,
    [...s.bills.values()],
    (e) => [
      e.home_id,
      e.month,
      e.event_id,
      e.region,
      e.provider_id,
      e.contract_id,
      e.consumption_kwh,
      e.production_kwh,
      e.self_consumed_kwh,
      e.import_kwh,
      e.export_kwh,
      e.peak_kw,
      e.energy_cost,
      e.network_cost,
      e.capacity_cost,
      e.fixed_cost,
      e.vat,
      e.export_revenue,
      e.total,
      e.simulation_time,
    ],
    `ON CONFLICT (home_id, month) DO UPDATE SET ${excluded(HOME_BILLS, ['home_id', 'month'])}`,
  );

  run(
    out,
    'contract_switches',
    SWITCHES,
    s.switches,
    (e) => [
      e.event_id,
      e.home_id,
      e.region,
      e.old_provider_id,
      e.new_provider_id,
      e.old_contract_id,
      e.new_contract_id,
      e.baseline_cost,
      e.new_cost,
      e.discount,
      e.gross_savings,
      e.commission,
      e.net_savings,
      e.simulation_time,
    ],
    'ON CONFLICT (event_id) DO NOTHING',
  );

  run(
    out,
    'contract_events',
    CONTRACT_EVENTS,
    s.contractEvents,
    (e) => [
      e.event_id,
      e.event_type,
      e.home_id,
      e.provider_id,
      e.contract_id,
      e.offer_id,
      e.simulation_time,
      JSON.stringify(e.payload),
    ],
    'ON CONFLICT (event_id) DO NOTHING',
  );

  writeProviders(out, s);
  writeWorld(out, s);
  return out;
}

function writeProviders(out: Step[], s: Segment): void {
  run(
    out,
    'provider_states AS p',
    [
      ['provider_id', 'text'],
      ['provider_name', 'text'],
      ['strategy', 'text'],
      ['region', 'text'],
      ['contract_type', 'text'],
      ['offer_id', 'text'],
      ['offer', 'jsonb'],
      ['offered_at', 'timestamptz'],
    ],
    [...s.offers.values()],
    (e) => [
      e.provider_id,
      e.provider_name,
      e.strategy,
      e.region,
      e.contract_type,
      e.offer_id,
      JSON.stringify(e),
      e.simulation_time,
    ],
    `ON CONFLICT (provider_id) DO UPDATE SET provider_name = EXCLUDED.provider_name, strategy = EXCLUDED.strategy,
       region = EXCLUDED.region, contract_type = EXCLUDED.contract_type, offer_id = EXCLUDED.offer_id,
       offer = EXCLUDED.offer, offered_at = EXCLUDED.offered_at, updated_at = now()
     WHERE p.offered_at IS NULL OR p.offered_at <= EXCLUDED.offered_at`,
  );
  run(
    out,
    'provider_states AS p',
    [
      ['provider_id', 'text'],
      ['spot_hours', 'jsonb'],
      ['spot_at', 'timestamptz'],
    ],
    [...s.spots.values()],
    (e) => [e.provider_id, JSON.stringify(e.hours), e.simulation_time],
    `ON CONFLICT (provider_id) DO UPDATE SET spot_hours = EXCLUDED.spot_hours, spot_at = EXCLUDED.spot_at,
       updated_at = now()
     WHERE p.spot_at IS NULL OR p.spot_at <= EXCLUDED.spot_at`,
  );
}

/** The clock, the day-ahead prices and each region's weather. */
function writeWorld(out: Step[], s: Segment): void {
  run(
    out,
    'market_prices',
    [
      ['hour', 'timestamptz'],
      ['eur_per_kwh', 'float8'],
    ],
    [...s.prices.entries()],
    ([hour, price]) => [hour, price],
    'ON CONFLICT (hour) DO UPDATE SET eur_per_kwh = EXCLUDED.eur_per_kwh',
  );
  run(
    out,
    'region_stats AS r',
    [
      ['region', 'text'],
      ['weather_date', 'date'],
      ['sunshine', 'float8'],
      ['temperature_c', 'float8'],
    ],
    [...s.weather.values()],
    (w) => [w.region, w.date, w.sunshine, w.temperature_c],
    `ON CONFLICT (region) DO UPDATE SET weather_date = EXCLUDED.weather_date, sunshine = EXCLUDED.sunshine,
       temperature_c = EXCLUDED.temperature_c
     WHERE r.weather_date IS NULL OR r.weather_date <= EXCLUDED.weather_date`,
  );
  const c = s.clock;
  if (c) {
    out.push({
      text: `UPDATE system_stats SET speed = $2, paused = $3, tick = coalesce($4, tick), state_at = $1,
         simulation_time = greatest(simulation_time, $1),
         day_ahead_eur_per_kwh = coalesce(
           (SELECT eur_per_kwh FROM market_prices WHERE hour = date_trunc('hour', $1::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'),
           day_ahead_eur_per_kwh),
         updated_at = now()
       WHERE state_at IS NULL OR state_at <= $1`,
      values: [c.simulation_time, c.speed, c.paused, c.tick ?? null],
    });
  }
}
