/**
 * Home files (domain.md §3): a JSON array of homes. `HOMES_SOURCES` names files by path or by name in
 * the bundled `data/` folder. A malformed file stops the app with the file, the entry index and the field.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { BELGIAN_ELECTRICITY_EAN_PREFIX, isValidEan18 } from '../shared/ean';
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

export class HomesFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HomesFileError';
  }
}

/** Resolves a source: an existing path, or a name (with or without `.json`) in the bundled data folder. */
export function resolveSource(source: string, dataDir = BUNDLED_DATA_DIR): string {
  if (isAbsolute(source) || source.includes('/') || existsSync(source)) return resolve(source);
  const name = source.endsWith('.json') ? source : `${source}.json`;
  return join(dataDir, name);
}

function describe(file: string, index: number | null, path: PropertyKey[], message: string): string {
  const where = index === null ? '' : `, entry ${index}`;
  const field = path.length ? `, field ${path.map(String).join('.')}` : '';
  return `homes file ${file}${where}${field}: ${message}`;
}

/** Parses one file's text; `file` is only used in messages. */
export function parseHomesFile(file: string, text: string): HomeConfig[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new HomesFileError(describe(file, null, [], `not valid JSON (${(err as Error).message})`));
  }
  if (!Array.isArray(data))
    throw new HomesFileError(describe(file, null, [], 'expected a JSON array of homes'));
  return data.map((entry, index) => {
    const parsed = homeSchema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HomesFileError(describe(file, index, issue.path, issue.message));
    }
    return parsed.data;
  });
}

/**
 * Loads every source for `region`; homes of another region or duplicate ids are errors (a homes app
 * runs one region, domain.md §1).
 */
export function loadHomes(sources: string[], region: Region, dataDir = BUNDLED_DATA_DIR): HomeConfig[] {
  if (sources.length === 0) throw new HomesFileError('HOMES_SOURCES: no homes file given');
  const seen = new Map<string, string>();
  const homes: HomeConfig[] = [];
  for (const source of sources) {
    const file = resolveSource(source, dataDir);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new HomesFileError(
        `homes file ${file} (from HOMES_SOURCES '${source}'): ${(err as Error).message}`,
      );
    }
    parseHomesFile(file, text).forEach((home, index) => {
      if (home.address.region !== region) {
        throw new HomesFileError(
          describe(
            file,
            index,
            ['address', 'region'],
            `home is in '${home.address.region}', this app runs REGION '${region}'`,
          ),
        );
      }
      const earlier = seen.get(home.id);
      if (earlier)
        throw new HomesFileError(
          describe(file, index, ['id'], `duplicate home id '${home.id}' (also in ${earlier})`),
        );
      seen.set(home.id, file);
      homes.push(home);
    });
  }
  return homes;
}
