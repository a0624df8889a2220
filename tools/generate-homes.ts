/**
 * Seeded generator of the shipped home files (domain.md §3): real places of each region, plausible
 * Flemish rooftop PV (panels of 0.4 kWp, mostly 3–8 kWp) and home batteries, EAN-18 meter ids with the
 * Belgian prefix and a valid check digit. Same seed, same files.
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
const BATTERY_SIZES = [5, 6.5, 7.7, 10, 13.5];

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

export function generateHomes(region: Region, count: number, seed = 'cortexiq'): HomeConfig[] {
  const rng = createRng(`${seed}:${region}`);
  const regionIndex = REGIONS.indexOf(region) + 1;
  const homes: HomeConfig[] = [];
  for (let i = 1; i <= count; i++) {
    const place = rng.pick(PLACES[region]);
    const panels = 7 + rng.int(8) + rng.int(8); // 7..21 panels, centred on ~14 (5.6 kWp)
    const hasBattery = rng.next() < 0.6;
    const serial = regionIndex * 1e8 + i * 10; // unique per region and home; day/night/gas differ below
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
      solar_capacity_kw: round(panels * 0.4, 1),
      battery_capacity_kwh: hasBattery ? rng.pick(BATTERY_SIZES) : 0,
      consumption_factor: round(rng.uniform(0.7, 1.5), 2),
      meters: {
        electricity_day_ean: makeEan18(BELGIAN_ELECTRICITY_EAN_PREFIX, serial + 1),
        electricity_night_ean: makeEan18(BELGIAN_ELECTRICITY_EAN_PREFIX, serial + 2),
      },
    };
    if (rng.next() < 0.65) home.meters.gas_ean = makeEan18(GAS_EAN_PREFIX, serial + 3);
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
