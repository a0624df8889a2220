/**
 * The SQL of the query procedures (docs/read-side.md, "Queries"). Every statement is fixed text with bound
 * parameters; the one variable part, the ORDER BY of get_homes, comes from a closed list.
 */
import type { Pool } from 'pg';
import { GatewayError } from '../../gateway/client';
import { Coalescer } from './model/coalescer';
import { bucketSeconds, containsPattern, MAX_POINTS, pageOf, SORT_COLUMNS, totalPages } from './model/paging';

const iso = (v: unknown): string | null =>
  v instanceof Date ? v.toISOString() : v == null ? null : String(v);
const n = (v: unknown): number | null => (v == null ? null : Number(v));

/** Columns of a home in lists. */
const HOME_SUMMARY = `home_id, name, region, city, postal_code, connected, provider_id, production_w,
  consumption_w, state_of_charge_pct, measured_at`;

function summary(r: Record<string, unknown>) {
  return {
    home_id: r.home_id as string,
    name: r.name as string | null,
    region: r.region as string | null,
    city: r.city as string | null,
    postal_code: r.postal_code as string | null,
    connected: r.connected as boolean,
    provider_id: r.provider_id as string | null,
    production_w: n(r.production_w),
    consumption_w: n(r.consumption_w),
    state_of_charge_pct: n(r.state_of_charge_pct),
    simulation_time: iso(r.measured_at),
  };
}

async function requireHome(pool: Pool, homeId: string): Promise<Date | null> {
  const r = await pool.query('SELECT measured_at FROM home_states WHERE home_id = $1', [homeId]);
  if (r.rowCount === 0) throw new GatewayError('not_found', `home_id: no home '${homeId}'`);
  return r.rows[0].measured_at as Date | null;
}

export async function getHome(pool: Pool, homeId: string) {
  const r = await pool.query('SELECT * FROM home_states WHERE home_id = $1', [homeId]);
  if (r.rowCount === 0) throw new GatewayError('not_found', `home_id: no home '${homeId}'`);
  const h = r.rows[0];
  return {
    ...summary(h),
    street: h.street,
    latitude: n(h.latitude),
    longitude: n(h.longitude),
    iot_provider: h.iot_provider,
    electricity_ean: h.electricity_ean,
    solar_capacity_kw: n(h.solar_capacity_kw),
    battery_capacity_kwh: n(h.battery_capacity_kwh),
    annual_consumption_kwh: n(h.annual_consumption_kwh),
    contract_id: h.contract_id,
    power_w: n(h.power_w),
    battery_kwh: n(h.battery_kwh),
    energy_import_kwh: n(h.energy_import_kwh),
    energy_export_kwh: n(h.energy_export_kwh),
    tariff: n(h.tariff),
    month_peak_kw: n(h.month_peak_kw),
    disconnect_reason: h.disconnect_reason,
    cost_eur: n(h.cost_eur),
    revenue_eur: n(h.revenue_eur),
    balance:
      h.balance_at === null
        ? null
        : {
            period_start: iso(h.balance_period_start),
            import_kwh: n(h.balance_import_kwh),
            export_kwh: n(h.balance_export_kwh),
            import_cost: n(h.balance_import_cost),
            export_revenue: n(h.balance_export_revenue),
            net_cost: n(h.balance_net_cost),
            balance_eur: n(h.balance_eur),
            simulation_time: iso(h.balance_at),
          },
  };
}

export interface HomesArgs {
  page: number;
  page_size: number;
  region?: string;
  search?: string;
  sort_by: keyof typeof SORT_COLUMNS;
  sort_direction: 'asc' | 'desc';
}

/**
 * The search text of a home: its fields joined by spaces, the expression of the trigram index
 * `home_states_search_idx` (migration 1796100000000_home-search; keep both the same text, or the
 * index is not used). It finds candidate rows; SEARCH_FIELDS then checks each field on its own, so
 * a match never spans two fields.
 */
export const HOME_SEARCH_TEXT = `(home_id || ' ' || coalesce(name, '') || ' ' || coalesce(city, '') || ' ' || coalesce(postal_code, '')
    || ' ' || coalesce(street, ''))`;
const SEARCH_FIELDS = `(home_id ILIKE $P OR name ILIKE $P OR city ILIKE $P OR postal_code ILIKE $P OR street ILIKE $P)`;
/** The search condition with the pattern as parameter `$n`. */
const searchWhere = (n: number) =>
  `${HOME_SEARCH_TEXT} ILIKE $${n} AND ${SEARCH_FIELDS.replace(/\$P/g, `$${n}`)}`;
/** get_homes' filters, with and without a search (fixed texts: the search is a bound parameter). */
const HOMES_WHERE = {
  all: '($1::text IS NULL OR region = $1)',
  search: `($1::text IS NULL OR region = $1) AND ${searchWhere(2)}`,
};

export async function getHomes(pool: Pool, a: HomesArgs) {
  const { limit, offset } = pageOf(a.page, a.page_size);
  const order = `${SORT_COLUMNS[a.sort_by]} ${a.sort_direction === 'desc' ? 'DESC' : 'ASC'} NULLS LAST, home_id`;
  const search = a.search?.trim() ? containsPattern(a.search) : null;
  const where = search === null ? HOMES_WHERE.all : HOMES_WHERE.search;
  const params: unknown[] = search === null ? [a.region ?? null] : [a.region ?? null, search];
  // Prepared per filter and order (a closed set of texts): parsing and planning were a quarter of
  // the database's time per call (3.3 instead of 4.5 ms per call on the seeded year).
  const r = await pool.query({
    name: `get_homes:${search === null ? 'all' : 'search'}:${a.sort_by}:${a.sort_direction}`,
    text: `SELECT ${HOME_SUMMARY}, count(*) OVER () AS total FROM home_states WHERE ${where}
      ORDER BY ${order} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    values: [...params, limit, offset],
  });
  let total = r.rows.length > 0 ? Number(r.rows[0].total) : 0;
  if (r.rows.length === 0 && offset > 0) {
    const c = await pool.query(`SELECT count(*) AS total FROM home_states WHERE ${where}`, params);
    total = Number(c.rows[0].total);
  }
  return {
    homes: r.rows.map(summary),
    page: a.page,
    page_size: a.page_size,
    total,
    total_pages: totalPages(total, a.page_size),
  };
}

export async function searchHomes(pool: Pool, query: string, limit: number) {
  const r = await pool.query(
    `SELECT ${HOME_SUMMARY} FROM home_states WHERE ${searchWhere(1)}
      ORDER BY (home_id ILIKE $1) DESC, name NULLS LAST, home_id LIMIT $2`,
    [containsPattern(query), limit],
  );
  return { homes: r.rows.map(summary) };
}

export async function getLocations(pool: Pool) {
  const r = await pool.query(
    `SELECT city, region, min(postal_code) AS postal_code, count(*) AS homes,
            count(*) FILTER (WHERE connected) AS connected_homes, avg(latitude) AS latitude, avg(longitude) AS longitude
       FROM home_states WHERE city IS NOT NULL GROUP BY city, region ORDER BY region, city`,
  );
  return {
    locations: r.rows.map((l) => ({
      city: l.city as string,
      region: l.region as string | null,
      postal_code: l.postal_code as string | null,
      homes: Number(l.homes),
      connected_homes: Number(l.connected_homes),
      latitude: n(l.latitude),
      longitude: n(l.longitude),
    })),
  };
}

export async function getHomesByLocation(pool: Pool, location: string) {
  const r = await pool.query(
    `SELECT ${HOME_SUMMARY} FROM home_states WHERE lower(city) = lower($1) OR postal_code = $1
      ORDER BY home_id LIMIT 1000`,
    [location.trim()],
  );
  if (r.rowCount === 0) throw new GatewayError('not_found', `location: no homes in '${location}'`);
  return { location, homes: r.rows.map(summary) };
}

const HISTORY_COLUMNS = `production_w, consumption_w, power_w, battery_kwh, state_of_charge_pct,
  energy_import_kwh, energy_export_kwh`;
const HISTORY_WINDOW = `home_id = $1 AND simulation_time > $3::timestamptz - make_interval(hours => $2)
  AND simulation_time <= $3::timestamptz`;

interface HistoryWindow {
  latest: Date | null;
  rows: Array<Record<string, unknown>>;
}
interface HistoryKey {
  home_id: string;
  hours: number;
}
const historyId = (k: HistoryKey) => `${k.hours}\u0000${k.home_id}`;

/**
 * The windows of many (home, hours) at once, one statement: each home's row (absent: not found)
 * and its measurements in the window (a range scan of the energy_events key per home).
 */
async function historyWindows(pool: Pool, keys: HistoryKey[]): Promise<Map<string, HistoryWindow>> {
  const r = await pool.query({
    name: 'get_home_history',
    text: `SELECT q.home_id, q.hours, h.measured_at AS latest, e.*
             FROM unnest($1::text[], $2::int[]) AS q(home_id, hours)
             JOIN home_states h ON h.home_id = q.home_id
             LEFT JOIN LATERAL (
               SELECT simulation_time AS t, ${HISTORY_COLUMNS} FROM energy_events
                WHERE home_id = h.home_id AND simulation_time > h.measured_at - make_interval(hours => q.hours)
                  AND simulation_time <= h.measured_at
                ORDER BY simulation_time LIMIT ${MAX_POINTS + 1}) e ON true`,
    values: [keys.map((k) => k.home_id), keys.map((k) => k.hours)],
  });
  const out = new Map<string, HistoryWindow>();
  for (const row of r.rows) {
    const id = historyId(row as HistoryKey);
    let w = out.get(id);
    if (!w) out.set(id, (w = { latest: row.latest as Date | null, rows: [] }));
    if (row.t !== null) w.rows.push(row);
  }
  for (const w of out.values()) w.rows.sort((a, b) => (a.t as Date).getTime() - (b.t as Date).getTime());
  return out;
}

/** One coalescer per pool: concurrent history calls share a statement (model/coalescer.ts). */
const historyCoalescers = new WeakMap<Pool, Coalescer<HistoryKey, HistoryWindow>>();
function historyWindow(pool: Pool, key: HistoryKey): Promise<HistoryWindow | undefined> {
  let c = historyCoalescers.get(pool);
  if (!c) historyCoalescers.set(pool, (c = new Coalescer((keys) => historyWindows(pool, keys), historyId)));
  return c.get(key);
}

/**
 * Simulated hours back from the home's latest measurement: every measurement while they are at
 * most MAX_POINTS, else their averages over equal buckets (cumulative counters: the bucket's last).
 * Usually one statement shared with the other history calls of the same moment.
 */
export async function getHomeHistory(pool: Pool, homeId: string, hours: number) {
  const w = await historyWindow(pool, { home_id: homeId, hours });
  if (!w) throw new GatewayError('not_found', `home_id: no home '${homeId}'`);
  let rows = w.rows;
  if (rows.length > MAX_POINTS)
    rows = (
      await pool.query(
        `SELECT date_bin(make_interval(secs => $4), simulation_time, $3::timestamptz) AS t,
                avg(production_w) AS production_w, avg(consumption_w) AS consumption_w, avg(power_w) AS power_w,
                avg(battery_kwh) AS battery_kwh, avg(state_of_charge_pct) AS state_of_charge_pct,
                max(energy_import_kwh) AS energy_import_kwh, max(energy_export_kwh) AS energy_export_kwh
           FROM energy_events WHERE ${HISTORY_WINDOW}
          GROUP BY 1 ORDER BY 1`,
        [homeId, hours, w.latest, bucketSeconds(hours)],
      )
    ).rows;
  return {
    home_id: homeId,
    hours,
    points: rows.map((p) => ({
      simulation_time: iso(p.t),
      production_w: n(p.production_w),
      consumption_w: n(p.consumption_w),
      power_w: n(p.power_w),
      battery_kwh: n(p.battery_kwh),
      state_of_charge_pct: n(p.state_of_charge_pct),
      energy_import_kwh: n(p.energy_import_kwh),
      energy_export_kwh: n(p.energy_export_kwh),
    })),
  };
}

/** At most this many trade events per answer (the newest), each with its hours. */
const MAX_TRADES = 500;

export async function getHomeTrades(pool: Pool, homeId: string, hours: number) {
  const latest = await requireHome(pool, homeId);
  const r = await pool.query(
    `SELECT simulation_time, provider_id, contract_id, first_hour, hours, grid_import_kwh, grid_export_kwh,
            import_day_kwh, import_night_kwh, import_cost, export_revenue, net_cost, energy_price_per_kwh,
            network_price_per_kwh, export_price_per_kwh
       FROM energy_trades
      WHERE home_id = $1 AND simulation_time > coalesce($3::timestamptz, now()) - make_interval(hours => $2)
      ORDER BY simulation_time DESC LIMIT $4`,
    [homeId, hours, latest, MAX_TRADES + 1],
  );
  const rows = r.rows.slice(0, MAX_TRADES).reverse();
  return {
    home_id: homeId,
    hours,
    truncated: r.rows.length > MAX_TRADES,
    trades: rows.map((t) => ({
      simulation_time: iso(t.simulation_time),
      first_hour: iso(t.first_hour),
      hours: Number(t.hours),
      provider_id: t.provider_id,
      contract_id: t.contract_id,
      grid_import_kwh: n(t.grid_import_kwh),
      grid_export_kwh: n(t.grid_export_kwh),
      import_day_kwh: n(t.import_day_kwh),
      import_night_kwh: n(t.import_night_kwh),
      import_cost: n(t.import_cost),
      export_revenue: n(t.export_revenue),
      net_cost: n(t.net_cost),
      energy_price_per_kwh: n(t.energy_price_per_kwh),
      network_price_per_kwh: n(t.network_price_per_kwh),
      export_price_per_kwh: n(t.export_price_per_kwh),
    })),
  };
}

export async function getHomeBills(pool: Pool, homeId: string) {
  await requireHome(pool, homeId);
  const r = await pool.query(
    `SELECT month, provider_id, contract_id, consumption_kwh, production_kwh, self_consumed_kwh, import_kwh,
            export_kwh, peak_kw, energy_cost, network_cost, capacity_cost, fixed_cost, vat, export_revenue, total
       FROM home_bills WHERE home_id = $1 ORDER BY month`,
    [homeId],
  );
  return { home_id: homeId, bills: r.rows };
}

export async function getMarketPrices(pool: Pool, hours: number) {
  const r = await pool.query(
    `WITH anchor AS (SELECT coalesce((SELECT simulation_time FROM system_stats WHERE id = 1),
                                     (SELECT max(hour) FROM market_prices)) AS t)
     SELECT hour, eur_per_kwh FROM market_prices, anchor
      WHERE hour > anchor.t - make_interval(hours => $1) AND hour <= anchor.t
      ORDER BY hour`,
    [hours],
  );
  return { hours, prices: r.rows.map((p) => ({ hour: iso(p.hour), eur_per_kwh: Number(p.eur_per_kwh) })) };
}

export async function getProviders(pool: Pool) {
  const r = await pool.query(
    `SELECT p.provider_id, p.provider_name, p.strategy, p.region, p.contract_type, p.offer_id, p.offer,
            p.offered_at, coalesce(c.customers, 0) AS customers, sum(coalesce(c.customers, 0)) OVER () AS all_customers
       FROM provider_states p
       LEFT JOIN (SELECT provider_id, count(*) AS customers FROM home_states GROUP BY provider_id) c
         ON c.provider_id = p.provider_id
      ORDER BY customers DESC, p.provider_id`,
  );
  return {
    providers: r.rows.map((p) => {
      const all = Number(p.all_customers);
      return {
        provider_id: p.provider_id as string,
        provider_name: p.provider_name as string | null,
        strategy: p.strategy as string | null,
        region: p.region as string | null,
        contract_type: p.contract_type as string | null,
        customers: Number(p.customers),
        market_share: all > 0 ? Number(p.customers) / all : 0,
        offer: p.offer,
        offered_at: iso(p.offered_at),
      };
    }),
  };
}

const EXISTS = {
  home: 'SELECT EXISTS (SELECT 1 FROM home_states WHERE home_id = $1) AS e',
  provider: 'SELECT EXISTS (SELECT 1 FROM provider_states WHERE provider_id = $1) AS e',
} as const;

export async function exists(pool: Pool, kind: keyof typeof EXISTS, id: string) {
  const r = await pool.query(EXISTS[kind], [id]);
  return { exists: r.rows[0].e as boolean };
}
