/**
 * Stand-in for the read side, so the dashboard's tests need no PostgreSQL: the query procedures
 * registered on a real gateway with the contract's argument schemas (so a bad argument is `invalid_argument` and an unknown
 * id `not_found`, as the real queries answer), over the shipped homes of the three regions, with
 * the result shapes the queries app answers. Figures are derived from the homes, not hard-coded.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GatewayError, type GatewayClient, type Registration } from '../../gateway/client';
import { PROCEDURES, STRATEGIES, queryArgsSchemas, type Overview } from '../../apps/shared/contract';
import { REGIONS, type Region } from '../../apps/shared/env';
import { loadShare, wattsPerKwp } from './fixture-sun';

export interface FakeHome {
  home_id: string;
  name: string;
  region: Region;
  city: string;
  postal_code: string;
  latitude: number;
  longitude: number;
  solar_capacity_kw: number;
  battery_capacity_kwh: number;
  annual_consumption_kwh: number;
  connected: boolean;
  provider_id: string;
  /** Average load over the year; what a home draws now is `consumptionAt`. */
  base_consumption_w: number;
  state_of_charge_pct: number;
}

/** What a home produces and draws at simulated time `t` (fixture-sun.ts). */
export const productionAt = (h: FakeHome, t: number) => Math.round(h.solar_capacity_kw * wattsPerKwp(t));
export const consumptionAt = (h: FakeHome, t: number) => Math.round(h.base_consumption_w * loadShare(t));

interface ShippedHome {
  id: string;
  name: string;
  address: { city: string; postal_code: string; latitude: number; longitude: number };
  solar_capacity_kw: number;
  battery_capacity_kwh: number;
  annual_consumption_kwh: number;
}

export function shippedHomes(): FakeHome[] {
  const dir = path.join(__dirname, '..', '..', 'apps', 'homes', 'data');
  return REGIONS.flatMap((region) =>
    (JSON.parse(fs.readFileSync(path.join(dir, `${region}.json`), 'utf8')) as ShippedHome[]).map(
      (h, i): FakeHome => ({
        home_id: h.id,
        name: h.name,
        region,
        city: h.address.city,
        postal_code: h.address.postal_code,
        latitude: h.address.latitude,
        longitude: h.address.longitude,
        solar_capacity_kw: h.solar_capacity_kw,
        battery_capacity_kwh: h.battery_capacity_kwh,
        annual_consumption_kwh: h.annual_consumption_kwh,
        connected: i % 10 !== 9,
        provider_id: ['engie', 'luminus', 'bolt'][i % 3],
        base_consumption_w: Math.round((h.annual_consumption_kwh / 8760) * 1000),
        // A home without a battery has nothing to charge: 0 %, as the homes app reports it.
        state_of_charge_pct: h.battery_capacity_kwh > 0 ? 40 + (i % 50) : 0,
      }),
    ),
  );
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const hourStart = (t: number) => t - (t % 3_600_000);
const lastMonth = (t: number) => {
  const d = new Date(t);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
};
const bump = (hour: number, at: number, width: number) => Math.exp(-((hour - at) ** 2) / width);
/**
 * A Belgian day-ahead day in €/kWh by UTC hour: cheap at night, a morning peak, a midday dip
 * where solar output is highest, and the highest peak in the evening.
 */
const dayAheadShape = (hour: number) =>
  Math.round(
    (0.075 + 0.03 * bump(hour, 6, 3) - 0.025 * bump(hour, 11.5, 5) + 0.045 * bump(hour, 17.5, 4)) * 1000,
  ) / 1000;

export class FakeReadSide {
  readonly homes = shippedHomes();
  readonly calls = new Map<string, number>();
  private regs: Registration[] = [];

  /** `simMs`: the simulation clock's time, which every figure follows. */
  constructor(
    private readonly client: GatewayClient,
    private readonly simMs: () => number,
  ) {}

  private now(): string {
    return new Date(this.simMs()).toISOString();
  }

  overview(): Overview {
    const h = this.homes;
    const t = this.simMs();
    return {
      simulation_time: this.now(),
      speed: 105120,
      paused: false,
      total_homes: h.length,
      connected_homes: h.filter((x) => x.connected).length,
      production_w: sum(h.map((x) => productionAt(x, t))),
      consumption_w: sum(h.map((x) => consumptionAt(x, t))),
      avg_battery_pct: sum(h.map((x) => x.state_of_charge_pct)) / h.length,
      energy_bought_kwh: 1234.5,
      energy_sold_kwh: 321.25,
      cost_eur: 456.78,
      revenue_eur: 12.5,
      net_balance_eur: -444.28,
      contract_switches: 7,
      customer_savings_eur: 88,
      commission_eur: 22,
      day_ahead_eur_per_kwh: 0.095,
    };
  }

  private home(id: string): FakeHome {
    const h = this.homes.find((x) => x.home_id === id);
    if (!h) throw new GatewayError('not_found', `home_id: no home '${id}'`);
    return h;
  }

  // Each handler receives what the contract's schema parsed for its procedure.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private handlers(): Record<string, (a: any) => unknown> {
    const summary = (h: FakeHome) => {
      const { base_consumption_w: _base, ...identity } = h;
      const t = this.simMs();
      return {
        ...identity,
        production_w: productionAt(h, t),
        consumption_w: consumptionAt(h, t),
        simulation_time: this.now(),
      };
    };
    const match = (h: FakeHome, q: string) =>
      [h.home_id, h.name, h.city, h.postal_code].some((v) => v.toLowerCase().includes(q.toLowerCase()));
    return {
      get_overview: () => this.overview(),
      get_region_summary: () => ({
        regions: REGIONS.map((region) => {
          const mine = this.homes.filter((h) => h.region === region);
          return {
            region,
            total_homes: mine.length,
            connected_homes: mine.filter((h) => h.connected).length,
            production_w: sum(mine.map((h) => productionAt(h, this.simMs()))),
            consumption_w: sum(mine.map((h) => consumptionAt(h, this.simMs()))),
            avg_battery_pct: sum(mine.map((h) => h.state_of_charge_pct)) / mine.length,
            contract_switches: 2,
            avg_bill_eur_per_month: 95.5,
          };
        }),
      }),
      get_homes: (a) => {
        const all = this.homes.filter(
          (h) => (!a.region || h.region === a.region) && (!a.search || match(h, a.search)),
        );
        const start = (a.page - 1) * a.page_size;
        return {
          homes: all.slice(start, start + a.page_size).map(summary),
          page: a.page,
          page_size: a.page_size,
          total: all.length,
          total_pages: Math.ceil(all.length / a.page_size),
        };
      },
      search_homes: (a) => ({
        homes: this.homes
          .filter((h) => match(h, a.query))
          .slice(0, a.limit)
          .map(summary),
      }),
      get_home: (a) => ({ ...summary(this.home(a.home_id)), street: 'Kerkstraat 1', contract_id: 'c-1' }),
      get_home_history: (a) => {
        const h = this.home(a.home_id);
        const end = this.simMs() - (this.simMs() % 900_000);
        const n = Math.min(a.hours * 4, 200);
        return {
          home_id: h.home_id,
          hours: a.hours,
          points: Array.from({ length: n }, (_, i) => {
            const t = end - (n - 1 - i) * 900_000;
            return {
              simulation_time: new Date(t).toISOString(),
              production_w: productionAt(h, t),
              consumption_w: consumptionAt(h, t),
              state_of_charge_pct: h.state_of_charge_pct,
            };
          }),
        };
      },
      get_home_trades: (a) => ({
        home_id: this.home(a.home_id).home_id,
        hours: a.hours,
        truncated: false,
        trades: [0, 1, 2].map((i) => ({
          simulation_time: new Date(hourStart(this.simMs()) - (3 - i) * 3_600_000).toISOString(),
          grid_import_kwh: 0.4 + i / 10,
          grid_export_kwh: 0.1,
          import_cost: 0.12 + i / 100,
          export_revenue: 0.004,
          net_cost: 0.116 + i / 100,
        })),
      }),
      get_home_bills: (a) => ({
        home_id: this.home(a.home_id).home_id,
        bills: [
          {
            // The last whole month before the clock's.
            month: lastMonth(this.simMs()),
            consumption_kwh: 310,
            import_kwh: 290,
            export_kwh: 12,
            energy_cost: 35.1,
            network_cost: 30.2,
            capacity_cost: 4.9,
            vat: 4.2,
            total: 74.4,
          },
        ],
      }),
      get_locations: () => {
        const by = new Map<string, FakeHome[]>();
        for (const h of this.homes)
          by.set(`${h.region}/${h.city}`, [...(by.get(`${h.region}/${h.city}`) ?? []), h]);
        return {
          locations: [...by.values()].map((hs) => ({
            city: hs[0].city,
            region: hs[0].region,
            postal_code: hs[0].postal_code,
            homes: hs.length,
            connected_homes: hs.filter((h) => h.connected).length,
            latitude: sum(hs.map((h) => h.latitude)) / hs.length,
            longitude: sum(hs.map((h) => h.longitude)) / hs.length,
          })),
        };
      },
      get_homes_by_location: (a) => {
        const hs = this.homes.filter((h) => h.city.toLowerCase() === a.location.toLowerCase());
        if (hs.length === 0) throw new GatewayError('not_found', `location: no homes in '${a.location}'`);
        return { location: a.location, homes: hs.map(summary) };
      },
      get_providers: () => {
        const ids = [...new Set(this.homes.map((h) => h.provider_id))];
        return {
          providers: ids.map((id, i) => {
            const customers = this.homes.filter((h) => h.provider_id === id).length;
            // Each its own strategy, region and prices, offered at the last 12-hour mark, as the
            // utilities make offers.
            const offer = {
              contract_type: 'static' as const,
              day_buy_price: 0.105 + i * 0.008,
              night_buy_price: 0.085 + i * 0.006,
            };
            return {
              provider_id: id,
              provider_name: id.toUpperCase(),
              strategy: STRATEGIES[i % STRATEGIES.length],
              region: REGIONS[i % REGIONS.length],
              contract_type: 'static',
              customers,
              market_share: customers / this.homes.length,
              offer,
              offered_at: new Date(this.simMs() - (this.simMs() % 43_200_000)).toISOString(),
            };
          }),
        };
      },
      get_market_prices: (a) => ({
        hours: a.hours,
        prices: Array.from({ length: 24 }, (_, i) => {
          const hour = hourStart(this.simMs()) - (23 - i) * 3_600_000;
          return {
            hour: new Date(hour).toISOString(),
            eur_per_kwh: dayAheadShape(new Date(hour).getUTCHours()),
          };
        }),
      }),
      home_exists: (a) => ({ exists: this.homes.some((h) => h.home_id === a.home_id) }),
      provider_exists: () => ({ exists: true }),
    };
  }

  async start(): Promise<void> {
    for (const [name, handler] of Object.entries(this.handlers())) {
      const schema = queryArgsSchemas[name as keyof typeof queryArgsSchemas];
      const procedure = (PROCEDURES as Record<string, unknown>)[
        name.replace(/_(\w)/g, (_, c: string) => c.toUpperCase())
      ] as string;
      this.regs.push(
        await this.client.register(procedure, (args) => {
          this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
          const parsed = schema.safeParse(args);
          if (!parsed.success) {
            const i = parsed.error.issues[0];
            throw new GatewayError('invalid_argument', `${i.path.join('.')}: ${i.message}`);
          }
          return handler(parsed.data);
        }),
      );
    }
  }

  /** The queries go away (their process stopped). */
  async stop(): Promise<void> {
    await Promise.all(this.regs.splice(0).map((r) => r.unregister().catch(() => undefined)));
  }
}
