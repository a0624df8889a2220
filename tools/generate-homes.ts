/**
 * Writes the shipped home files from the seeded generator (apps/homes/model/generate-homes.ts).
 *
 *   npx tsx tools/generate-homes.ts [--count 1000] [--default 50] [--seed cortexiq] [--out apps/homes/data]
 *
 * Writes `<region>.json` (the first `--default` homes, the embedded default) and `<region>-<count>.json`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REGIONS } from '../apps/shared/env';
import { formatHomesFile, generateHomes } from '../apps/homes/model/generate-homes';

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
