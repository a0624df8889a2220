/**
 * One load step: the dev stack with N homes per region at the stack's speed (105120: a simulated
 * year in five minutes, one tick a second), measured after a warm-up over a window: the read side's
 * end-to-end lag per tick (tick-lag.ts), the projections' own lag gauge, the rate committed, and the
 * RSS and CPU of every process of the run (process-tree.ts).
 */
import { percentile } from '../projections/ingest';
import { cpuBetween, cpuByRole, sampleTree } from './process-tree';
import { readMetric } from '../../launcher/read-metric';
import { readRunState } from '../../launcher/run-state';
import { sleep, startRun } from './run';
import { TickLagProbe } from './tick-lag';

export interface StepFigures {
  homesPerRegion: number;
  readyS: number;
  ticks: number;
  /** Ticks not wholly committed by the end of the window plus 10 s. */
  ticksBehind: number;
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  /** Samples of cortexiq_projection_lag_seconds, once a second. */
  gaugeP99Ms: number;
  eventsPerS: number;
  processes: number;
  rssPeakMb: number;
  /** CPU cores used on average by the whole run. */
  cores: number;
  cpuPer1000Homes: number;
}

export async function loadStep(
  homes: number,
  o: { warmupS: number; windowS: number; log: (line: string) => void },
): Promise<StepFigures> {
  const run = startRun(['--homes', String(homes)]);
  try {
    const ready = await run.up.waitForLine(/processes ready in ([\d.]+) s/, 120_000 + 40 * homes);
    const readyS = Number(/ready in ([\d.]+) s/.exec(ready)![1]);
    // The state file is rewritten with every process once the run is ready.
    let projections: string | undefined;
    for (let i = 0; i < 100 && !projections; i++, await sleep(100)) {
      projections = readRunState(run.dataDir)?.processes.find((p) =>
        p.name.endsWith('/projections'),
      )?.healthUrl;
    }
    if (!projections) throw new Error(`no projections process in ${run.dataDir}/run.json`);
    const probe = await TickLagProbe.start(run.hubUrl, run.databaseUrl, 3 * homes);
    try {
      o.log(`  ${homes} homes per region: ready in ${readyS} s; warming up ${o.warmupS} s`);
      await sleep(o.warmupS * 1000);
      const t0 = Date.now();
      const s0 = sampleTree(run.up.proc.pid!);
      const events = () => readMetric(projections, 'cortexiq_projection_events_total');
      const events0 = await events();
      let rssPeak = s0.rssBytes;
      const gauge: number[] = [];
      while (Date.now() - t0 < o.windowS * 1000) {
        await sleep(1000);
        rssPeak = Math.max(rssPeak, sampleTree(run.up.proc.pid!).rssBytes);
        const lag = await readMetric(projections, 'cortexiq_projection_lag_seconds');
        if (lag !== undefined) gauge.push(1000 * lag);
      }
      const t1 = Date.now();
      const s1 = sampleTree(run.up.proc.pid!);
      const events1 = await events();
      // Ticks of the window still being written get 10 s to land before they count as behind.
      await sleep(10_000);
      const ticks = probe.ticksBetween(t0, t1);
      const lags = ticks.flatMap((t) => (t.lagMs === undefined ? [] : [t.lagMs]));
      const cores = cpuBetween(s0, s1) / ((t1 - t0) / 1000);
      const byRole = cpuByRole(s0, s1, (t1 - t0) / 1000);
      o.log(`  cores by process: ${byRole.map(([role, c]) => `${role} ${c.toFixed(2)}`).join(', ')}`);
      if (probe.measuredHomes < 3 * homes)
        o.log(`  only ${probe.measuredHomes} of ${3 * homes} homes have a measurement committed`);
      const committed = (events1 ?? NaN) - (events0 ?? NaN);
      return {
        homesPerRegion: homes,
        readyS,
        ticks: ticks.length,
        ticksBehind: ticks.length - lags.length,
        lagP50Ms: percentile(lags, 0.5),
        // A tick that never landed is at least as late as the longest that did.
        lagP99Ms: ticks.length > lags.length ? Infinity : percentile(lags, 0.99),
        lagMaxMs: lags.length > 0 ? Math.max(...lags) : NaN,
        gaugeP99Ms: percentile(gauge.filter(Number.isFinite), 0.99),
        eventsPerS: committed / ((t1 - t0) / 1000),
        processes: s1.processes,
        rssPeakMb: rssPeak / 2 ** 20,
        cores,
        cpuPer1000Homes: cores / ((3 * homes) / 1000),
      };
    } finally {
      await probe.close();
    }
  } finally {
    await run.stop();
  }
}
