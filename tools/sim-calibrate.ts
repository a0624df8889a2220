/**
 * `npm run sim:calibrate`: a full simulated year of the shipped homes and providers (no gateway,
 * seeded) and the calibration table of docs/calibration.md: each figure, its target, pass or fail.
 * Exits 1 when a row fails, so it can gate a change to the data or the tariffs.
 *
 *   npm run sim:calibrate -- [--seed cortexiq] [--homes N per region] [--tick-hours 6]
 *                            [--propensity 0.15] [--threshold 50]
 */
import { parseArgs } from 'node:util';
import { runMarketYear } from './calibration/market-year';
import { YearFigures, type Row } from './calibration/year-figures';

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: expected a positive integer, got '${text}'`);
  return n;
}

function fraction(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(n >= 0 && n <= 1)) throw new Error(`--${name}: expected a number from 0 to 1, got '${text}'`);
  return n;
}

function euros(text: string): number {
  const n = Number(text);
  if (!(n >= 0)) throw new Error(`--threshold: expected euros (≥ 0), got '${text}'`);
  return n;
}

export function formatTable(rows: Row[]): string {
  const w = [
    Math.max(...rows.map((r) => r.figure.length)),
    Math.max(...rows.map((r) => r.value.length)),
    Math.max(...rows.map((r) => r.target.length)),
  ];
  const line = (a: string, b: string, c: string, d: string) =>
    `| ${a.padEnd(w[0])} | ${b.padEnd(w[1])} | ${c.padEnd(w[2])} | ${d.padEnd(4)} |`;
  return [
    line('figure', 'simulated year', 'target', ''),
    `|${'-'.repeat(w[0] + 2)}|${'-'.repeat(w[1] + 2)}|${'-'.repeat(w[2] + 2)}|------|`,
    ...rows.map((r) => line(r.figure, r.value, r.target, r.pass ? 'pass' : 'FAIL')),
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: 'cortexiq' },
      homes: { type: 'string' },
      'tick-hours': { type: 'string' },
      propensity: { type: 'string' },
      threshold: { type: 'string' },
    },
  });
  const homes = values.homes === undefined ? undefined : positive('homes', values.homes, 50);
  const tickHours = positive('tick-hours', values['tick-hours'], 6);
  const figures = new YearFigures();
  const started = Date.now();
  const { homes: count } = await runMarketYear({
    seed: values.seed,
    homesPerRegion: homes,
    tickHours,
    propensity: fraction('propensity', values.propensity),
    thresholdEur: values.threshold === undefined ? undefined : euros(values.threshold),
    observe: figures.observe,
    onDay: (day, days) => {
      if (day % 30 === 0)
        process.stderr.write(
          `  simulated day ${day}/${days} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
        );
    },
  });
  const rows = figures.rows();
  process.stdout.write(
    `Calibration: ${count} homes, seed '${values.seed}', ${tickHours} h ticks, a simulated year in ${((Date.now() - started) / 1000).toFixed(1)} s\n\n`,
  );
  process.stdout.write(
    `${formatTable(rows)}\n\n${rows.filter((r) => r.pass).length} of ${rows.length} rows pass\n`,
  );
  if (rows.some((r) => !r.pass)) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`sim:calibrate: ${(err as Error).message}\n`);
    process.exit(2);
  });
}
