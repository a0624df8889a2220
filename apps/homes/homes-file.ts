/**
 * Home files (domain.md §3): a JSON array of homes. `HOMES_SOURCES` names files by path or by name in
 * the bundled `data/` folder. A malformed file stops the app with the file, the entry index and the field.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { BELGIAN_ELECTRICITY_EAN_PREFIX, isValidEan18 } from '../shared/ean';
import { describeEntry, DataFileError, parseJsonArray, readJsonArrays } from '../shared/data-file';
import { REGIONS, type Region } from '../shared/env';

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
  address: z.object({
    street: z.string().min(1),
    city: z.string().min(1),
    postal_code: z.string().regex(/^[1-9]\d{3}$/, 'expected a 4-digit Belgian postal code'),
    region: z.enum(REGIONS),
    latitude: z.number().min(49.4).max(51.6),
    longitude: z.number().min(2.5).max(6.5),
  }),
  solar_capacity_kw: z.number().min(0).max(50),
  battery_capacity_kwh: z.number().min(0).max(100),
  /** Optional: household size factor on the consumption profile (default from the roof size). */
  consumption_factor: z.number().min(0.2).max(5).optional(),
  /** Optional battery round-trip efficiency (default 0.92) and power limit in kW (default 0.5 C). */
  battery_efficiency: z.number().gt(0).max(1).optional(),
  battery_power_kw: z.number().min(0).max(50).optional(),
  meters: z.object({
    electricity_day_ean: electricityEan,
    electricity_night_ean: electricityEan,
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
