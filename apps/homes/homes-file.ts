/**
 * Home files (docs/domain.md, "Homes"): a JSON array of homes. `HOMES_SOURCES` names files by path or by name in
 * the bundled `data/` folder. A malformed file stops the app with the file, the entry index and the field.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { BELGIAN_ELECTRICITY_EAN_PREFIX, isValidEan18 } from '../shared/ean';
import { describeEntry, DataFileError, parseJsonArray, readJsonArrays } from '../shared/data-file';
import { addressSchema } from '../shared/contract';
import type { Region } from '../shared/env';

export const BUNDLED_DATA_DIR = join(__dirname, 'data');

const ean = z
  .string()
  .regex(/^\d{18}$/, 'expected 18 digits')
  .refine(isValidEan18, 'bad GS1 check digit');
const electricityEan = ean.refine(
  (v) => v.startsWith(BELGIAN_ELECTRICITY_EAN_PREFIX),
  `expected the Belgian electricity prefix ${BELGIAN_ELECTRICITY_EAN_PREFIX}`,
);

export const homeSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'expected lower-case letters, digits and dashes'),
  name: z.string().min(1),
  iot_provider: z.string().min(1),
  address: addressSchema,
  /** Sets the home's size: a year of consumption sums to this within 5 %. */
  annual_consumption_kwh: z.number().gt(0, 'must be above 0 kWh').max(100_000, 'at most 100,000 kWh'),
  solar_capacity_kw: z.number().min(0, 'must not be negative').max(50, 'at most 50 kWp (a household roof)'),
  battery_capacity_kwh: z.number().min(0, 'must not be negative').max(100),
  heat_pump: z.boolean().optional(),
  ev: z.boolean().optional(),
  /** Optional battery round-trip efficiency (default 0.92) and power limit in kW (default 0.5 C). */
  battery_efficiency: z.number().gt(0).max(1).optional(),
  battery_power_kw: z.number().min(0).max(50).optional(),
  /** One electricity access point with day and night registers, as a two-rate meter has. */
  meters: z.object({
    electricity_ean: electricityEan,
    gas_ean: ean.optional(),
    water_ean: ean.optional(),
  }),
});
export type HomeConfig = z.output<typeof homeSchema>;

/** Parses one file's text; `file` is only used in messages. */
export function parseHomesFile(file: string, text: string): HomeConfig[] {
  return parseJsonArray('homes', file, text, homeSchema);
}

/**
 * Loads every source for `region`; homes of another region or duplicate ids are errors (a homes app
 * runs one region, domain.md §1).
 */
export function loadHomes(sources: string[], region: Region, dataDir = BUNDLED_DATA_DIR): HomeConfig[] {
  const seen = new Map<string, string>();
  const homes: HomeConfig[] = [];
  for (const { file, entries } of readJsonArrays('homes', 'HOMES_SOURCES', sources, dataDir, homeSchema)) {
    entries.forEach((home, index) => {
      if (home.address.region !== region) {
        const message = `home is in '${home.address.region}', this app runs REGION '${region}'`;
        throw new DataFileError(describeEntry('homes', file, index, ['address', 'region'], message));
      }
      const earlier = seen.get(home.id);
      if (earlier) {
        throw new DataFileError(
          describeEntry('homes', file, index, ['id'], `duplicate home id '${home.id}' (also in ${earlier})`),
        );
      }
      seen.set(home.id, file);
      homes.push(home);
    });
  }
  return homes;
}
