/**
 * Homes per region for `cortexiq up --homes N` (docs/local-run.md): 50 and 1,000 are shipped with the
 * homes app; any other count is generated with the same seeded generator into the run's folder, so a
 * benchmark can step the load up without shipping megabytes of data. The first N homes are the same
 * whatever the count.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatHomesFile, generateHomes } from '../apps/homes/model/generate-homes';
import { REGIONS, type Region } from '../apps/shared/env';
import { LaunchError } from './errors';

/** Counts shipped as files of the homes app (`<region>.json`, `<region>-1000.json`). */
export const BUNDLED_HOME_COUNTS = [50, 1000] as const;
/** Above this, one homes process per region is past what it was built and measured for. */
export const MAX_HOMES_PER_REGION = 20_000;

const isBundled = (n: number) => (BUNDLED_HOME_COUNTS as readonly number[]).includes(n);

/** HOMES_SOURCES for `n` homes of `region`: a bundled name, else the generated file in `dir`. */
export function homesSource(region: string, n: number, dir: string): string {
  if (n === 50) return region;
  if (isBundled(n)) return `${region}-${n}`;
  return path.join(dir, `${region}-${n}.json`);
}

/**
 * Writes the files `homesSource` names for counts that are not shipped, unless a file of that name
 * is already there (same seed, same content). Returns the files written.
 */
export function writeGeneratedHomes(regions: readonly string[], n: number, dir: string): string[] {
  if (isBundled(n)) return [];
  const unknown = regions.filter((r) => !(REGIONS as readonly string[]).includes(r));
  if (unknown.length > 0) {
    throw new LaunchError(
      `--homes ${n}: homes can be generated for ${REGIONS.join(', ')}, not for ${unknown.join(', ')}`,
    );
  }
  fs.mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const region of regions) {
    const file = homesSource(region, n, dir);
    if (fs.existsSync(file)) continue;
    // Written aside and renamed: a run stopped half-way leaves no truncated file for the next one.
    fs.writeFileSync(`${file}.tmp`, formatHomesFile(generateHomes(region as Region, n)));
    fs.renameSync(`${file}.tmp`, file);
    written.push(file);
  }
  return written;
}
