/**
 * Seeded generator of the shipped home files (docs/domain.md, "Homes"): real places of each region,
 * household consumption spread like Flanders', rooftop PV on about half the homes (3–8 kWp), batteries
 * on a minority, a few heat pumps and electric cars, one EAN-18 electricity access point per home with
 * the Belgian prefix and a valid check digit. Same seed, same files.
 *
 *   npx tsx tools/generate-homes.ts [--count 1000] [--default 50] [--seed cortexiq] [--out apps/homes/data]
 *
 * Writes `<region>.json` (the first `--default` homes, the embedded default) and `<region>-<count>.json`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BELGIAN_ELECTRICITY_EAN_PREFIX, makeEan18 } from '../apps/shared/ean';
import { REGIONS, type Region } from '../apps/shared/env';
import { createRng } from '../apps/shared/rng';
import type { HomeConfig } from '../apps/homes/homes-file';
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

function main(): void {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '1000' },
      default: { type: 'string', default: '50' },
      seed: { type: 'string', default: 'cortexiq' },
      out: { type: 'string', default: join(__dirname, '..', 'apps', 'homes', 'data') },
    },
  });
  const count = Number(values.count);
  const small = Number(values.default);
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(small) || small < 1 || small > count) {
    throw new Error('--count and --default must be positive integers with --default <= --count');
  }
  for (const region of REGIONS) {
    const homes = generateHomes(region, count, values.seed);
    writeFileSync(join(values.out, `${region}.json`), formatHomesFile(homes.slice(0, small)));
    writeFileSync(join(values.out, `${region}-${count}.json`), formatHomesFile(homes));
    process.stdout.write(`${region}: ${small} + ${count} homes\n`);
  }
}

if (require.main === module) main();
