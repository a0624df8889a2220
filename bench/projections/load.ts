/**
 * The ingest load: `homes` homes split over one publisher per region, each tick publishing for
 * every home `balance.updated`, `home.measured` and `home.traded` (in that order), one tick per
 * second. Payloads pass the contract's schemas; each trade imports exactly 1 kWh, so the
 * projections' running totals can be checked for exactly-once to the unit.
 */
import { randomUUID } from 'node:crypto';
import { TOPICS } from '../../apps/shared/contract';
import type { Region } from '../../apps/shared/env';
import type { GatewayClient } from '../../gateway/client';

export const EVENTS_PER_HOME = 3;
const REGIONS: Region[] = ['antwerp', 'brabant', 'east-flanders'];
const BASE_MS = Date.parse('2025-01-01T00:00:00Z');

export const tickTime = (tick: number): string => new Date(BASE_MS + tick * 3_600_000).toISOString();
export const homeId = (i: number): string => `bench-home-${String(i).padStart(5, '0')}`;

export interface Publisher {
  region: Region;
  client: GatewayClient;
  homes: number[];
}

export function publishers(clients: GatewayClient[], homes: number): Publisher[] {
  return clients.map((client, p) => ({
    region: REGIONS[p % REGIONS.length],
    client,
    homes: Array.from({ length: homes }, (_, i) => i).filter((i) => i % clients.length === p),
  }));
}

/** Publishes one tick of `p`'s homes; resolves once the client has handed it to the transport. */
export async function publishTick(p: Publisher, tick: number): Promise<void> {
  const at = tickTime(tick);
  const hour = tickTime(tick - 1);
  const region = p.region;
  for (const i of p.homes) {
    const home_id = homeId(i);
    void p.client.publish(TOPICS.balanceUpdated, {
      event_id: randomUUID(),
      simulation_time: at,
      home_id,
      region,
      provider_id: 'p-eddie',
      contract_id: 'c-1',
      period_start: '2025-01-01T00:00:00.000Z',
      import_kwh: tick,
      export_kwh: tick / 2,
      import_cost: tick * 0.3,
      export_revenue: tick * 0.02,
      net_cost: tick * 0.28,
      balance_eur: -tick * 0.28,
    });
    void p.client.publish(TOPICS.homeMeasured, {
      event_id: randomUUID(),
      simulation_time: at,
      home_id,
      region,
      city: 'Mechelen',
      production_w: (i * 37) % 4000,
      consumption_w: 400 + (i % 900),
      power_w: 400 + (i % 900) - ((i * 37) % 4000),
      battery_kwh: 2,
      battery_capacity_kwh: 5,
      state_of_charge_pct: 40,
      energy_import_kwh: tick,
      energy_export_kwh: tick / 2,
      tariff: 1,
      provider_id: 'p-eddie',
      contract_id: 'c-1',
      electricity_delivered_tariff1_kwh: tick / 2,
      electricity_delivered_tariff2_kwh: tick / 2,
      electricity_returned_tariff1_kwh: tick / 4,
      electricity_returned_tariff2_kwh: tick / 4,
      voltage_v: 231,
      current_a: 2.5,
      frequency_hz: 50,
      month_peak_kw: 3.2,
    });
    void p.client.publish(TOPICS.homeTraded, {
      event_id: randomUUID(),
      simulation_time: at,
      home_id,
      region,
      provider_id: 'p-eddie',
      contract_id: 'c-1',
      hours: [
        {
          simulation_hour: hour,
          grid_import_kwh: 1,
          grid_export_kwh: 0.5,
          energy_price_per_kwh: 0.12,
          network_price_per_kwh: 0.13,
          export_price_per_kwh: 0.04,
          import_cost: 0.265,
          export_revenue: 0.02,
          net_cost: 0.245,
          is_day: true,
        },
      ],
    });
  }
  await p.client.flush();
}
