/**
 * `npm run bench:e2e`: issue 14's figures for the whole system run by `cortexiq up`
 * (docs/local-run.md), printed as a table:
 *   1. time from `cortexiq up` to the dashboard showing all three regions, in a fresh folder (a new
 *      PostgreSQL made) and in one used before, against a Node process loading the CLI;
 *   2. load steps of N homes per region at the stack's speed: the read side's lag per tick (tick at
 *      the hub → every home's measurement of it committed), the projections' lag gauge, events/s
 *      committed, total RSS and CPU of the run, CPU per 1,000 homes; steps go up until lag p99
 *      passes 2 s (the largest count under it is the machine's capacity).
 * The netns figures (link cut → traffic flowing again, messages lost) are `npm run bench:netns`.
 *
 *   npm run bench:e2e -- [--startups 3] [--steps 1000,2000,4000,7000,10000|none] [--warmup 20] [--window 60]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import { loadStep, type StepFigures } from './e2e/load-step';
import { freshDataDir } from '../test/launcher/cli-run';
import { cliStartMs, timeToDashboard, type StartupFigure } from './e2e/startup';

const log = (line: string) => process.stdout.write(`${line}\n`);
const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : Number.isNaN(n)
      ? 'n/a'
      : '∞';
const range = (xs: number[], digits = 1) =>
  xs.length === 0 ? '—' : `${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)}`;

function integers(name: string, text: string, min: number, max: number): number[] {
  const xs = text.split(',').map(Number);
  if (xs.some((x) => !Number.isInteger(x) || x < min || x > max))
    throw new Error(`--${name}: expected integers from ${min} to ${max}, comma-separated, got '${text}'`);
  return xs;
}

async function startups(count: number): Promise<void> {
  const refMs = cliStartMs();
  log(`reference: one Node process loading the CLI (cortexiq --help), median of 5: ${fmt(refMs)} ms`);
  const figures: StartupFigure[] = [];
  let dir = '';
  for (let i = 0; i < count; i++) {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = freshDataDir();
    figures.push(await timeToDashboard(dir, true));
    log(
      `  start ${i + 1}/${count}, fresh folder: dashboard shows 3 regions after ${fmt(figures.at(-1)!.dashboardMs / 1000, 1)} s`,
    );
  }
  figures.push(await timeToDashboard(dir, false));
  log(`  start again in the last folder: ${fmt(figures.at(-1)!.dashboardMs / 1000, 1)} s`);
  fs.rmSync(dir, { recursive: true, force: true });
  const fresh = figures.filter((f) => f.freshFolder).map((f) => f.dashboardMs / 1000);
  const reused = figures.filter((f) => !f.freshFolder).map((f) => f.dashboardMs / 1000);
  log('');
  log(
    '| start-up (150 homes) | up → dashboard shows 3 regions | `up` says ready | × one CLI start | target |',
  );
  log('|---|---|---|---|---|');
  log(
    `| fresh folder (PostgreSQL made), ${fresh.length} runs | ${range(fresh)} s | ${range(figures.filter((f) => f.freshFolder).map((f) => f.readyS))} s | ` +
      `${range(
        fresh.map((s) => (s * 1000) / refMs),
        0,
      )} | < 15 s: ${Math.max(...fresh) < 15 ? 'yes' : 'NO'} |`,
  );
  log(
    `| folder used before | ${range(reused)} s | ${range(figures.filter((f) => !f.freshFolder).map((f) => f.readyS))} s | ${range(
      reused.map((s) => (s * 1000) / refMs),
      0,
    )} | |`,
  );
  log('');
}

function stepRow(f: StepFigures): string {
  return (
    `| ${fmt(f.homesPerRegion)} × 3 | ${fmt(f.readyS, 1)} s | ${f.ticks} (${f.ticksBehind} behind) | ` +
    `${fmt(f.lagP50Ms)} / ${fmt(f.lagP99Ms)} / ${fmt(f.lagMaxMs)} ms | ${fmt(f.gaugeP99Ms)} ms | ${fmt(f.eventsPerS)} | ` +
    `${f.processes} | ${fmt(f.rssPeakMb)} MB | ${fmt(f.cores, 2)} of ${os.cpus().length} | ${fmt(f.cpuPer1000Homes, 3)} | ` +
    `${f.lagP99Ms < 2000 ? 'yes' : 'NO'} |`
  );
}

function printSteps(rows: StepFigures[], windowS: number): void {
  log('');
  log(
    `| homes | ready | ticks in ${windowS} s | read-side lag p50 / p99 / max (tick → all committed) | projections' lag gauge p99 | events/s committed | processes | RSS peak, all | CPU cores used | cores per 1,000 homes | lag p99 < 2 s |`,
  );
  log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const f of rows) log(stepRow(f));
  const sustained = rows.filter((f) => f.lagP99Ms < 2000).map((f) => f.homesPerRegion);
  log('');
  log(
    `largest step sustained (lag p99 < 2 s): ${sustained.length > 0 ? `${fmt(Math.max(...sustained))} homes per region` : 'none'} (goal 10,000)`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      startups: { type: 'string', default: '3' },
      steps: { type: 'string', default: '1000,2000,4000,7000,10000' },
      warmup: { type: 'string', default: '20' },
      window: { type: 'string', default: '60' },
    },
  });
  const [startupRuns] = integers('startups', values.startups!, 0, 20);
  // `--steps none`: only the start-up figures.
  const steps = values.steps === 'none' ? [] : integers('steps', values.steps!, 1, 20_000);
  const [warmupS] = integers('warmup', values.warmup!, 0, 600);
  const [windowS] = integers('window', values.window!, 10, 3600);
  log(
    `bench:e2e on ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  if (startupRuns! > 0) await startups(startupRuns!);
  const rows: StepFigures[] = [];
  for (const homes of steps) {
    const f = await loadStep(homes, { warmupS: warmupS!, windowS: windowS!, log });
    rows.push(f);
    log(
      `  ${homes} per region: lag p99 ${fmt(f.lagP99Ms)} ms, ${fmt(f.eventsPerS)} events/s, ${fmt(f.cores, 2)} cores, RSS ${fmt(f.rssPeakMb)} MB`,
    );
    if (!(f.lagP99Ms < 2000)) break; // past capacity: larger steps only fall further behind
  }
  if (rows.length > 0) printSteps(rows, windowS!);
  log(
    `load average at the end: ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:e2e: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
