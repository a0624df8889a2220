/**
 * One simulated home over weeks of ticks (docs/domain.md, "Homes" and "home.billed"): its hourly
 * trades, its meters and its monthly invoices agree with each other and with the tariffs; injection
 * never earns more than the energy costs; a tick that does not describe its world never stops it.
 */
import { SimulatedHome, type WorldView } from '../../apps/homes/home';
import { MarketView } from '../../apps/homes/market-view';
import type { Offer } from '../../apps/homes/model/contract';
import { loadNetworkTariffs, VAT_RATE } from '../../apps/homes/network-tariffs';
import { TickWorld } from '../../apps/homes/world-view';
import type { HomeConfig } from '../../apps/homes/homes-file';
import { generateHomes } from '../../apps/homes/model/generate-homes';

const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);
const tariffs = loadNetworkTariffs();

const offer: Offer = {
  offer_id: 'engie-o1',
  provider_id: 'engie',
  provider_name: 'Engie',
  strategy: 'steady_eddie',
  region: 'antwerp',
  contract_type: 'static',
  duration_months: 12,
  day_buy_price: 0.13,
  night_buy_price: 0.1,
  day_sell_price: 0.035,
  night_sell_price: 0.025,
  fixed_fee_per_year: 50,
  switching_discount: 0,
  minimum_monthly_kwh: 0,
  valid_from: '2025-01-01T00:00:00.000Z',
};

/** A fixed world: mild weather, a day-ahead price that swings through the day. */
const world: WorldView = {
  day: () => ({ sunshine: 0.6, temperatureC: 9 }),
  price: (hourMs) => 0.08 + 0.06 * Math.sin((2 * Math.PI * (hourMs / HOUR)) / 24),
};

/** A PV home with a battery from the generator, its contract started, run in 7-hour ticks. */
function runHome(config: HomeConfig, fromIso: string, toIso: string) {
  const home = new SimulatedHome(config, 'home-test', tariffs.antwerp);
  const market = new MarketView();
  market.addOffer(offer);
  const start = at(fromIso);
  home.assignInitialContract(start, [offer]);
  expect(home.advance(start, world, market)).toBeNull(); // the first tick sets the baseline
  const results = [];
  for (let t = start + 7 * HOUR; t <= at(toIso); t += 7 * HOUR) {
    const r = home.advance(t, world, market);
    if (r) results.push(r);
  }
  return { home, results };
}

const homes = generateHomes('antwerp', 40);
const prosumer = homes.find((h) => h.solar_capacity_kw > 0 && h.battery_capacity_kwh > 0)!;

describe('a simulated home over two months', () => {
  const { home, results } = runHome(prosumer, '2025-03-20T10:00:00Z', '2025-05-10T00:00:00Z');
  const traded = results.flatMap((r) => r.traded.hours);
  const bills = results.flatMap((r) => r.bills);

  it('trades every hour at its contract prices, injection never above the energy price', () => {
    // Hours the battery fully covered exchange nothing and are left out of home.traded.
    expect(traded.length).toBeGreaterThan(24 * 10);
    for (const h of traded) {
      expect(h.export_price_per_kwh).toBeLessThanOrEqual(h.energy_price_per_kwh);
      expect(h.energy_price_per_kwh).toBe(h.is_day ? 0.13 : 0.1);
      expect(h.network_price_per_kwh).toBeCloseTo(0.1253, 9);
      const cost = h.grid_import_kwh * (h.energy_price_per_kwh + h.network_price_per_kwh) * (1 + VAT_RATE);
      expect(h.import_cost).toBeCloseTo(cost, 3);
      expect(h.export_revenue).toBeCloseTo(h.grid_export_kwh * h.export_price_per_kwh, 3);
    }
    const last = results.at(-1)!.measured;
    const imported = traded.reduce((a, h) => a + h.grid_import_kwh, 0);
    expect(last.energy_import_kwh).toBeCloseTo(imported, 6);
    expect(last.electricity_delivered_tariff1_kwh + last.electricity_delivered_tariff2_kwh).toBeCloseTo(
      imported,
      6,
    );
  });

  it('bills March (part) and April (whole), each adding up and matching its hours', () => {
    expect(bills.map((b) => b.month)).toEqual(['2025-03', '2025-04']);
    const april = bills[1];
    // April in Brussels: 31 March 22:00 UTC to 30 April 22:00 UTC.
    const aprilHours = traded.filter(
      (h) =>
        Date.parse(h.simulation_hour) >= at('2025-03-31T22:00:00Z') &&
        Date.parse(h.simulation_hour) < at('2025-04-30T22:00:00Z'),
    );
    const sum = (f: (h: (typeof traded)[number]) => number) => aprilHours.reduce((a, h) => a + f(h), 0);
    expect(april.import_kwh).toBeCloseTo(
      sum((h) => h.grid_import_kwh),
      3,
    );
    expect(april.export_kwh).toBeCloseTo(
      sum((h) => h.grid_export_kwh),
      3,
    );
    expect(april.energy_cost).toBeCloseTo(
      sum((h) => h.grid_import_kwh * h.energy_price_per_kwh),
      3,
    );
    expect(april.export_revenue).toBeCloseTo(
      sum((h) => h.export_revenue),
      2,
    );
    expect(april.fixed_cost).toBeCloseTo((50 + 17.85) / 12, 4);
    expect(april.capacity_cost).toBeCloseTo(4.35 * Math.max(2.5, april.peak_kw), 3);
    const beforeVat = april.energy_cost + april.network_cost + april.capacity_cost + april.fixed_cost;
    expect(april.vat).toBeCloseTo(0.06 * beforeVat, 3);
    expect(april.total).toBeCloseTo(beforeVat + april.vat - april.export_revenue, 3);
    expect(april.self_consumed_kwh).toBeCloseTo(april.production_kwh - april.export_kwh, 3);
    // March was covered from the 20th only: its fixed part is pro rata.
    expect(bills[0].fixed_cost).toBeLessThan(0.45 * ((50 + 17.85) / 12));
    expect(home.contract?.provider_id).toBe('engie');
  });
});

describe('a whole month with a daylight-saving change', () => {
  // Local March 2025 has 743 hours (summer time starts on the 30th): counted in UTC hours it was
  // billed 743/744 of its fixed and capacity parts.
  it('bills a fully covered March its whole fixed fee', () => {
    const { results } = runHome(prosumer, '2025-02-20T00:00:00Z', '2025-04-05T00:00:00Z');
    const march = results.flatMap((r) => r.bills).find((b) => b.month === '2025-03')!;
    expect(march.fixed_cost).toBeCloseTo((50 + 17.85) / 12, 4);
  });
});

describe('a tick that does not describe its world', () => {
  it("is counted, and the home goes on with the last price and the season's climate", () => {
    const w = new TickWorld('antwerp');
    w.absorb({
      event_id: 'tick-2',
      simulation_time: '2025-01-10T12:00:00.000Z',
      previous_simulation_time: '2025-01-10T11:00:00.000Z',
      speed: 3600,
      paused: false,
      tick: 2,
      weather: [{ date: '2025-01-10', region: 'antwerp', sunshine: 0.4, temperature_c: 3 }],
      prices: [{ hour: '2025-01-10T11:00:00.000Z', eur_per_kwh: 0.12 }],
    });
    expect(w.price(at('2025-01-10T11:00:00Z'))).toBe(0.12);
    expect(w.gaps).toBe(0);
    const home = new SimulatedHome(homes[0], 'gaps', tariffs.antwerp);
    const market = new MarketView();
    home.advance(at('2025-01-10T11:00:00Z'), w, market);
    const r = home.advance(at('2025-01-11T13:00:00Z'), w, market)!;
    expect(r.traded.hours.length).toBeGreaterThan(20);
    expect(w.gaps).toBeGreaterThan(0); // 11 January and its hours were never described
    for (const h of r.traded.hours.filter((x) => x.simulation_hour > '2025-01-10T12')) {
      expect(h.energy_price_per_kwh).toBeCloseTo(0.12 + 0.03, 9); // no contract: last price + markup
    }
  });
});
