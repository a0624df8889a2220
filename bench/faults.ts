/**
 * `npm run bench:faults`: the fault scenarios of issue 16, each over several rounds, printed as one
 * table: lost, duplicated, reordered, p99 latency, gateway peak RSS (docs/loss.md).
 *
 *   npm run bench:faults -- [--rounds 3] [--only NAME[,NAME]] [--transport quic|tls]
 */
import { parseArgs } from 'node:util';
import { installExitHooks } from './gateway/processes';
import { median } from './gateway/scenarios';
import { SCENARIOS, type ScenarioRow } from './faults/scenarios';

function range(values: number[], digits = 0): string {
  const f = (n: number): string =>
    Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits }) : 'n/a';
  if (!values.some(Number.isFinite)) return 'n/a';
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? f(lo) : `${f(lo)}–${f(hi)}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      only: { type: 'string' },
      transport: { type: 'string', default: 'quic' },
    },
  });
  const rounds = Number(values.rounds);
  const transport = values.transport === 'tls' ? 'tls' : 'quic';
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a positive integer');
  const only = values.only?.split(',');
  installExitHooks();
  const picked = SCENARIOS.filter((s) => !only || only.includes(s.name));
  const table: string[] = [
    `| scenario | published | lost | reported lost | dup | reorder | p99 ms | gateway RSS peak MB | note |`,
    `|---|---|---|---|---|---|---|---|---|`,
  ];
  const footnotes: string[] = [];
  for (const scenario of picked) {
    const rows: ScenarioRow[] = [];
    for (let r = 0; r < rounds; r++) {
      process.stderr.write(`${scenario.name}: round ${r + 1} of ${rounds}\n`);
      rows.push(await scenario.run(transport));
    }
    // The note of a round that lost something, if any (it names the reasons), else of the last.
    const col = (pick: (row: ScenarioRow) => number): string => range(rows.map(pick));
    table.push(
      `| ${scenario.title} | ${col((x) => x.published)} | ${col((x) => x.lost)} | ${col((x) => x.reported)} | ` +
        `${col((x) => x.dup)} | ${col((x) => x.reorder)} | ${col((x) => x.p99Ms)} | ${col((x) => x.rssPeakMb)} | ` +
        `${(rows.find((x) => x.lost > 0) ?? rows[rows.length - 1]).note} |`,
    );
    const percents = (pick: (row: ScenarioRow) => number | undefined): number[] =>
      rows.flatMap((x) => (pick(x) === undefined ? [] : [100 * pick(x)!]));
    const slowdowns = percents((x) => x.slowdown);
    const noise = percents((x) => x.noise);
    if (slowdowns.length > 0)
      footnotes.push(
        `A stuck subscriber slows the others by ${slowdowns.map((x) => x.toFixed(1)).join(', ')} % ` +
          `(median ${median(slowdowns).toFixed(1)} %; target within 15 %); the two runs without it ` +
          `differed by ${noise.map((x) => x.toFixed(1)).join(', ')} % in the same rounds (the machine's noise).`,
      );
  }
  process.stdout.write(`\nnpm run bench:faults (${transport}, ${rounds} rounds, ranges over rounds)\n\n`);
  process.stdout.write(`${table.join('\n')}\n`);
  if (footnotes.length > 0) process.stdout.write(`\n${footnotes.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
