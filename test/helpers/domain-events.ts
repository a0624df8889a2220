/**
 * Valid payloads of the domain events (apps/shared/contract), for read-side tests and the bench.
 * Each call makes a new event_id; `at` is the simulation time (ISO 8601) the event carries.
 */
import { randomUUID } from 'node:crypto';
import { TOPICS, type PayloadOf, type Topic } from '../../apps/shared/contract';
import type { Region } from '../../apps/shared/env';

export interface Published<T extends Topic = Topic> {
  topic: T;
  payload: PayloadOf<T> & { event_id: string; simulation_time: string };
}

function ev<T extends Topic>(topic: T, at: string, payload: PayloadOf<T>): Published<T> {
  return {
    topic,
    payload: { event_id: randomUUID(), simulation_time: at, ...payload } as Published<T>['payload'],
  };
}

export const hourIso = (base: string, hours: number): string =>
  new Date(Date.parse(base) + hours * 3_600_000).toISOString();

export function initialized(home: string, region: Region, at: string, city = 'Mechelen') {
  return ev(TOPICS.homeInitialized, at, {
    home_id: home,
    name: `Home ${home}`,
    iot_provider: 'fluvius',
    address: { street: 'Kerkstraat 1', city, postal_code: '2800', region, latitude: 51.02, longitude: 4.47 },
    region,
    city,
    annual_consumption_kwh: 3500,
    solar_capacity_kw: 5,
    battery_capacity_kwh: 6,
    heat_pump: false,
    ev: false,
    meters: { electricity_ean: '541448800000000017' },
  });
}

export function connected(home: string, region: Region, at: string) {
  return ev(TOPICS.homeConnected, at, { home_id: home, region });
}

export function disconnected(home: string, region: Region, at: string) {
  return ev(TOPICS.homeDisconnected, at, { home_id: home, region, reason: 'maintenance' });
}

export function measured(
  home: string,
  region: Region,
  at: string,
  v: {
    production_w?: number;
    consumption_w?: number;
    soc?: number;
    import_kwh?: number;
    export_kwh?: number;
    city?: string;
  } = {},
) {
  const production = v.production_w ?? 1200;
  const consumption = v.consumption_w ?? 800;
  return ev(TOPICS.homeMeasured, at, {
    home_id: home,
    region,
    city: v.city ?? 'Mechelen',
    production_w: production,
    consumption_w: consumption,
    power_w: consumption - production,
    battery_kwh: 3,
    battery_capacity_kwh: 6,
    state_of_charge_pct: v.soc ?? 50,
    energy_import_kwh: v.import_kwh ?? 10,
    energy_export_kwh: v.export_kwh ?? 4,
    tariff: 1,
    provider_id: 'p-eddie',
    contract_id: 'c-1',
    electricity_delivered_tariff1_kwh: 6,
    electricity_delivered_tariff2_kwh: 4,
    electricity_returned_tariff1_kwh: 3,
    electricity_returned_tariff2_kwh: 1,
    voltage_v: 230,
    current_a: 3.5,
    frequency_hz: 50,
    month_peak_kw: 3.1,
  });
}

/** One traded hour per hour of `hours`, 1 kWh imported at €0.30 and 0.5 kWh exported at €0.04 each. */
export function traded(home: string, region: Region, at: string, hours = 1) {
  return ev(TOPICS.homeTraded, at, {
    home_id: home,
    region,
    provider_id: 'p-eddie',
    contract_id: 'c-1',
    hours: Array.from({ length: hours }, (_, i) => ({
      simulation_hour: hourIso(at, -hours + i),
      grid_import_kwh: 1,
      grid_export_kwh: 0.5,
      energy_price_per_kwh: 0.12,
      network_price_per_kwh: 0.15,
      export_price_per_kwh: 0.04,
      import_cost: 0.3,
      export_revenue: 0.02,
      net_cost: 0.28,
      is_day: true,
    })),
  });
}

export function billed(home: string, region: Region, at: string, month: string, total = 95) {
  return ev(TOPICS.homeBilled, at, {
    home_id: home,
    region,
    month,
    provider_id: 'p-eddie',
    contract_id: 'c-1',
    consumption_kwh: 290,
    production_kwh: 300,
    self_consumed_kwh: 110,
    import_kwh: 180,
    export_kwh: 190,
    peak_kw: 3.2,
    energy_cost: 22,
    network_cost: 27,
    capacity_cost: 14,
    fixed_cost: 5,
    vat: 4,
    export_revenue: 7,
    total,
  });
}

export function balance(home: string, region: Region, at: string, net = 12.5) {
  return ev(TOPICS.balanceUpdated, at, {
    home_id: home,
    region,
    provider_id: 'p-eddie',
    contract_id: 'c-1',
    period_start: '2025-01-01T00:00:00.000Z',
    import_kwh: 40,
    export_kwh: 20,
    import_cost: 13,
    export_revenue: 0.5,
    net_cost: net,
    balance_eur: -net,
  });
}

export function switched(home: string, region: Region, at: string, gross = 100) {
  return ev(TOPICS.contractSwitched, at, {
    home_id: home,
    region,
    old_provider_id: 'p-eddie',
    new_provider_id: 'p-owl',
    old_contract_id: 'c-1',
    new_contract_id: 'c-2',
    offer_id: 'o-2',
    baseline_cost: 1200,
    new_cost: 1200 - gross,
    discount: 0,
    gross_savings: gross,
    commission: gross * 0.2,
    net_savings: gross * 0.8,
  });
}

export function expired(home: string, region: Region, at: string) {
  return ev(TOPICS.contractExpired, at, {
    home_id: home,
    region,
    contract_id: 'c-1',
    provider_id: 'p-eddie',
    start_date: '2024-06-01T00:00:00.000Z',
    end_date: at,
  });
}

export function proposed(provider: string, at: string, day = 0.14, night = 0.1) {
  return ev(TOPICS.contractProposed, at, {
    offer_id: `o-${provider}-${at}`,
    provider_id: provider,
    provider_name: `Provider ${provider}`,
    strategy: 'steady_eddie',
    region: 'antwerp',
    duration_months: 12,
    fixed_fee_per_year: 60,
    switching_discount: 0,
    minimum_monthly_kwh: 0,
    valid_from: at,
    contract_type: 'static',
    day_buy_price: day,
    night_buy_price: night,
    day_sell_price: 0.04,
    night_sell_price: 0.03,
  });
}

export function spot(provider: string, at: string) {
  return ev(TOPICS.spotPriceUpdated, at, {
    provider_id: provider,
    hours: [{ hour: at, buy_price: 0.11, sell_price: 0.03 }],
  });
}

export function rejected(provider: string, home: string, at: string) {
  return ev(TOPICS.contractRejected, at, {
    provider_id: provider,
    home_id: home,
    offer_id: 'o-x',
    reason: 'stale offer',
  });
}

/** A tick covering `hours` simulated hours ending at `at`, with a price per hour and every region's weather. */
export function tick(at: string, n: number, hours = 1, price = 0.09) {
  return ev(TOPICS.timeAdvanced, at, {
    previous_simulation_time: hourIso(at, -hours),
    speed: 3600,
    paused: false,
    tick: n,
    weather: (['antwerp', 'brabant', 'east-flanders'] as const).map((region) => ({
      date: at.slice(0, 10),
      region,
      sunshine: 0.6,
      temperature_c: 8,
    })),
    prices: Array.from({ length: hours }, (_, i) => ({
      hour: hourIso(at, -hours + i + 1).slice(0, 13) + ':00:00.000Z',
      eur_per_kwh: price + i * 0.001,
    })),
  });
}

export function reset(at: string) {
  return ev(TOPICS.reset, at, { new_start_time: at });
}
