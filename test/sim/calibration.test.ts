/**
 * The calibration report on a smaller sample (60 homes, a simulated year through the in-process bus):
 * a change to the model, the data or the tariffs that drifts a year away from Flanders fails here.
 * The year runs in its own Node process, as a user runs `npm run sim:calibrate`: inside Jest's module
 * sandbox the same year takes six times as long.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Row } from '../../tools/calibration/year-figures';
import { formatTable } from '../../tools/sim-calibrate';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

interface Report {
  homes: number;
  seed: string;
  rows: Row[];
}

async function calibrate(args: string[]): Promise<{ report: Report; code: number }> {
  try {
    const { stdout } = await run(
      process.execPath,
      ['-r', 'tsx/cjs', 'tools/sim-calibrate.ts', '--json', ...args],
      {
        cwd: ROOT,
      },
    );
    return { report: JSON.parse(stdout) as Report, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; code?: number; stderr?: string };
    if (!e.stdout) throw new Error(`sim:calibrate failed: ${e.stderr ?? String(err)}`);
    return { report: JSON.parse(e.stdout) as Report, code: e.code ?? 1 };
  }
}

describe('a simulated year of 60 homes (sim:calibrate on a sample)', () => {
  let report: Report;
  let code: number;

  beforeAll(async () => {
    ({ report, code } = await calibrate(['--homes', '20']));
  }, 180_000);

  it('reports every figure of the calibration table', () => {
    expect(report.homes).toBe(60);
    expect(report.rows.map((r) => r.figure)).toEqual([
      'PV yield, mean over PV homes',
      'household consumption',
      "consumption vs each home's annual_consumption_kwh",
      'self-consumption, PV without battery',
      'self-consumption, PV with battery',
      'all-in import price paid',
      'bill of homes without PV, per year',
      'injection price paid, mean',
      'day-ahead price',
      'switching',
      'saving per switch, median',
      'market concentration at year end',
    ]);
  });

  it('passes every row, and exits 0', () => {
    if (report.rows.some((r) => !r.pass))
      throw new Error(`calibration drifted:\n${formatTable(report.rows)}`);
    expect(code).toBe(0);
  });

  it('fails, and exits 1, when homes never switch', async () => {
    const frozen = await calibrate(['--homes', '5', '--tick-hours', '24', '--propensity', '0']);
    expect(frozen.code).toBe(1);
    expect(frozen.report.rows.find((r) => r.figure === 'switching')).toMatchObject({ pass: false });
  }, 180_000);

  it('names a bad option', async () => {
    await expect(
      run(process.execPath, ['-r', 'tsx/cjs', 'tools/sim-calibrate.ts', '--homes', 'many'], { cwd: ROOT }),
    ).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--homes: expected a positive integer, got 'many'"),
    });
  });
});
