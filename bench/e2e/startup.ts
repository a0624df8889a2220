/**
 * Time from starting `cortexiq up` to the dashboard showing all three regions with their homes
 * connected (its /api/regions, which the overview's map and cards are drawn from), against the
 * reference of one Node process loading the CLI and exiting, measured in the same run.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { getJson, sleep, startRun } from './run';
import { ROOT } from '../../test/launcher/cli-run';

export interface StartupFigure {
  /** Spawn → the dashboard showing three regions with connected homes. */
  dashboardMs: number;
  /** What `up` itself printed as its ready time. */
  readyS: number;
  freshFolder: boolean;
}

/** Median wall time of `cortexiq --help` (Node start + the CLI loaded), 5 runs. */
export function cliStartMs(): number {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, [path.join(ROOT, 'bin', 'cortexiq.js'), '--help'], { stdio: 'ignore' });
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[2]!;
}

/** `dataDir`: a folder kept by the caller (fresh or used before); the run's own otherwise. */
export async function timeToDashboard(dataDir: string, freshFolder: boolean): Promise<StartupFigure> {
  const t0 = performance.now();
  const run = startRun([], dataDir);
  try {
    for (;;) {
      if (run.up.proc.exitCode !== null)
        throw new Error(`cortexiq up ended:\n${run.up.output().slice(-3000)}`);
      if (performance.now() - t0 > 180_000)
        throw new Error('the dashboard did not show three regions in 180 s');
      try {
        const { regions } = await getJson<{ regions: { connected_homes: number }[] }>(
          `${run.dashboard}/api/regions`,
        );
        if (regions.length === 3 && regions.every((r) => r.connected_homes > 0)) break;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    const dashboardMs = performance.now() - t0;
    const ready = await run.up.waitForLine(/processes ready in ([\d.]+) s/, 30_000);
    return {
      dashboardMs,
      readyS: Number(/ready in ([\d.]+) s/.exec(ready)![1]),
      freshFolder,
    };
  } finally {
    await run.stop();
  }
}
