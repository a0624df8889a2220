/**
 * Multi-row statements as `unnest` of one array per column: a fixed number of parameters whatever
 * the batch size, and no SQL text built from data.
 */

export type Column = readonly [name: string, type: string];

/** One parameterised statement (pg's query config). */
export interface Statement {
  text: string;
  values?: unknown[];
}

/** `INSERT INTO table (cols) SELECT * FROM unnest($1::t1[], …)` and the per-column arrays. */
export function unnestInsert<R>(
  table: string,
  columns: readonly Column[],
  rows: readonly R[],
  values: (row: R) => unknown[],
  tail: string,
  firstParam = 1,
): { text: string; params: unknown[][] } {
  const params: unknown[][] = columns.map(() => new Array(rows.length));
  rows.forEach((row, i) => {
    const v = values(row);
    for (let c = 0; c < columns.length; c++) params[c][i] = v[c] ?? null;
  });
  const names = columns.map(([n]) => n).join(', ');
  const arrays = columns.map(([, t], i) => `$${firstParam + i}::${t}[]`).join(', ');
  return { text: `INSERT INTO ${table} (${names}) SELECT * FROM unnest(${arrays}) ${tail}`, params };
}

export const ENERGY_EVENTS: Column[] = [
  ['event_id', 'text'],
  ['home_id', 'text'],
  ['simulation_time', 'timestamptz'],
  ['production_w', 'float8'],
  ['consumption_w', 'float8'],
  ['power_w', 'float8'],
  ['battery_kwh', 'float8'],
  ['state_of_charge_pct', 'float8'],
  ['energy_import_kwh', 'float8'],
  ['energy_export_kwh', 'float8'],
  ['tariff', 'int2'],
  ['provider_id', 'text'],
];

export const ENERGY_TRADES: Column[] = [
  ['event_id', 'text'],
  ['home_id', 'text'],
  ['provider_id', 'text'],
  ['contract_id', 'text'],
  ['simulation_time', 'timestamptz'],
  ['first_hour', 'timestamptz'],
  ['hours', 'int2'],
  ['grid_import_kwh', 'float8'],
  ['grid_export_kwh', 'float8'],
  ['import_day_kwh', 'float8'],
  ['import_night_kwh', 'float8'],
  ['import_cost', 'float8'],
  ['export_revenue', 'float8'],
  ['net_cost', 'float8'],
  ['energy_price_per_kwh', 'float8'],
  ['network_price_per_kwh', 'float8'],
  ['export_price_per_kwh', 'float8'],
];

/**
 * `json_to_recordset($n::json) AS alias(col type, …)`: rows passed as one JSON text (keys = column
 * names; other keys are ignored), much cheaper for the app than one array per column.
 */
export function recordset(columns: readonly Column[], param: number, alias: string): string {
  return `json_to_recordset($${param}::json) AS ${alias}(${columns.map(([n, t]) => `${n} ${t}`).join(', ')})`;
}
