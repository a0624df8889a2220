/**
 * Seeded generator of homes (docs/domain.md, "Homes"): real places of each region, household
 * consumption spread like Flanders', rooftop PV on about half the homes (3–8 kWp), batteries on a
 * minority, a few heat pumps and electric cars, one EAN-18 electricity access point per home with the
 * Belgian prefix and a valid check digit. Same seed, same homes; the first N homes of a larger count
 * are the N of a smaller one, so the shipped files and `cortexiq up --homes N` agree.
 */
import { BELGIAN_ELECTRICITY_EAN_PREFIX, makeEan18 } from '../../shared/ean';
import { REGIONS, type Region } from '../../shared/env';
import { createRng } from '../../shared/rng';
import type { HomeConfig } from '../homes-file';
import { IOT_PROVIDERS, PLACES, STREETS, SURNAMES } from './belgian-places';

/** Belgian gas access points (Fluvius) start with 541448. */
const GAS_EAN_PREFIX = '541448';
const ID_PREFIX: Record<Region, string> = { antwerp: 'ant', brabant: 'vbr', 'east-flanders': 'ovl' };

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** A standard normal draw (Box–Muller). */
function normal(next: () => number): number {
  return Math.sqrt(-2 * Math.log(Math.max(next(), 1e-12))) * Math.cos(2 * Math.PI * next());
}

/**
 * Household electricity use without heating or car: log-normal around a 2,800 kWh median (most
 * Flemish households use 1,500–6,000 kWh; the mean of all, with heat pumps and cars, is ~3,500).
 */
function baseConsumption(next: () => number): number {
  return Math.min(12_000, Math.max(900, 2800 * Math.exp(0.5 * normal(next))));
}

export function generateHomes(region: Region, count: number, seed = 'cortexiq'): HomeConfig[] {
  const rng = createRng(`${seed}:${region}`);
  const regionIndex = REGIONS.indexOf(region) + 1;
  const homes: HomeConfig[] = [];
  for (let i = 1; i <= count; i++) {
    const place = rng.pick(PLACES[region]);
    const serial = regionIndex * 1e8 + i * 10; // unique per region and home; electricity and gas differ below
    const heatPump = rng.next() < 0.07;
    const ev = rng.next() < 0.1;
    // A heat pump adds ~3,500 kWh of heating, a car ~2,000 kWh of charging.
    const annual = baseConsumption(rng.next) + (heatPump ? 3500 : 0) + (ev ? 2000 : 0);
    // About half of Flemish houses have PV: 8–20 panels of 0.4 kWp; a minority of those a battery
    // of 1–1.5 kWh per kWp.
    const hasPv = rng.next() < 0.5;
    const kwp = hasPv ? round((8 + rng.int(7) + rng.int(7)) * 0.4, 1) : 0;
    // Battery owners tend to be the bigger households (they are the ones it pays for).
    const battery =
      hasPv && rng.next() < (annual > 3500 ? 0.55 : 0.2) ? round(kwp * rng.uniform(1.2, 1.5), 1) : 0;
    const home: HomeConfig = {
      id: `${ID_PREFIX[region]}-${String(i).padStart(4, '0')}`,
      name: `Familie ${rng.pick(SURNAMES)}`,
      iot_provider: rng.pick(IOT_PROVIDERS),
      address: {
        street: `${rng.pick(STREETS)} ${1 + rng.int(180)}`,
        city: place.city,
        postal_code: place.postalCode,
        region,
        latitude: round(place.latitude + rng.uniform(-0.015, 0.015), 5),
        longitude: round(place.longitude + rng.uniform(-0.02, 0.02), 5),
      },
      annual_consumption_kwh: Math.round(annual),
      solar_capacity_kw: kwp,
      battery_capacity_kwh: battery,
      meters: { electricity_ean: makeEan18(BELGIAN_ELECTRICITY_EAN_PREFIX, serial + 1) },
    };
    if (heatPump) home.heat_pump = true;
    if (ev) home.ev = true;
    if (!heatPump && rng.next() < 0.65) home.meters.gas_ean = makeEan18(GAS_EAN_PREFIX, serial + 3);
    homes.push(home);
  }
  return homes;
}

/** One home per line: readable diffs, about a third of pretty-printed size. */
export function formatHomesFile(homes: HomeConfig[]): string {
  return `[\n${homes.map((h) => JSON.stringify(h)).join(',\n')}\n]\n`;
}
