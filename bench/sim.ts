/**
 * `npm run bench:sim` (issues 4 and 10, "Figures to reach"):
 *  1. the pure home model: 1,000 homes × one 29.2-simulated-hour tick (speed 105120, TICK_MS 1000),
 *     CPU time per tick from process.cpuUsage (target < 50 ms), and homes simulated per CPU second;
 *     also the whole per-home tick (model + event payloads) as the homes app runs it;
 *  2. the region apps on real gateways: hub gateway with the simulation app at speed 105120, region
 *     gateway with the homes app (1,000 homes) and the utilities app (5 providers), on real 1 s ticks;
 *     tick processing p99 as % of the tick interval (target < 25 %), events published and delivered.
 *
 *   npm run bench:sim -- [--homes 1000] [--ticks 30] [--live-ticks 15] [--transport tls|quic]
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRng } from '../apps/shared/rng';
import { createLogger } from '../apps/shared/logger';
import { loadHomes } from '../apps/homes/homes-file';
import { SimulatedHome } from '../apps/homes/home';
import { MarketView } from '../apps/homes/market-view';
import { emptyTotals, integrate, newPhysics, type HourFlows } from '../apps/homes/model/physics';
import { homeSpec, type WorldView } from '../apps/homes/home';
import { loadNetworkTariffs } from '../apps/homes/network-tariffs';
import { World } from '../apps/simulation/model/world';
import { weatherOn } from '../apps/simulation/model/weather';
import { DAY_MS } from '../apps/shared/world/brussels-time';
import { createHomesApp } from '../apps/homes/app';
import { DEFAULT_SWITCH_PROPENSITY } from '../apps/homes/config';
import { waitFor } from '../test/helpers/mesh';
import { connect } from '../gateway/client';
import type { TickSummary } from '../apps/shared/tick-stats';

const SPEED = 105_120;
// The live part runs the homes app alone in this process, the gateways and other apps in a child.
const TICK_MS = 1000;
const WARMUP_TICKS = 3;
const TICK_SIM_MS = SPEED * TICK_MS;
const START = Date.parse('2025-01-01T00:00:00Z');

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const fmt = (v: number, digits = 1) => v.toFixed(digits);

/** The world the bench homes live in: the simulation's own weather and day-ahead price, seeded. */
function benchWorld(): WorldView {
  const world = new World('bench');
  return {
    day: (d) => {
      const w = weatherOn('bench', 'antwerp', d * DAY_MS);
      return { sunshine: w.sunshine, temperatureC: w.temperatureC };
    },
    price: (hourMs) => world.priceOf(hourMs),
  };
}

function pureModel(homeCount: number, ticks: number) {
  const world = benchWorld();
  const configs = loadHomes(['antwerp-1000'], 'antwerp').slice(0, homeCount);
  const homes = configs.map((c) => {
    const rng = createRng(`bench:${c.id}`);
    const spec = homeSpec(c);
    return { spec, rng, state: newPhysics(spec, rng) };
  });
  const perTick: number[] = [];
  let subSteps = 0;
  // The first WARMUP_TICKS are JIT compilation and cache filling, not steady state.
  for (let t = 0; t < ticks + WARMUP_TICKS; t++) {
    const from = START + t * TICK_SIM_MS;
    const before = process.cpuUsage();
    let steps = 0;
    for (const h of homes) {
      const hours: HourFlows[] = [];
      steps += integrate(
        h.spec,
        h.state,
        h.rng,
        from,
        from + TICK_SIM_MS,
        world.day,
        hours,
        emptyTotals(),
      ).subSteps;
    }
    if (t < WARMUP_TICKS) continue;
    perTick.push(cpuMs(before));
    subSteps += steps;
  }
  // The whole per-home tick of the homes app: model, hourly trades, payloads (no publishing).
  const market = new MarketView();
  const tariff = loadNetworkTariffs().antwerp;
  const full = configs.map((c) => new SimulatedHome(c, 'bench', tariff));
  for (const h of full) h.advance(START, world, market);
  const fullPerTick: number[] = [];
  for (let t = 1; t <= ticks + WARMUP_TICKS; t++) {
    const before = process.cpuUsage();
    for (const h of full) h.advance(START + t * TICK_SIM_MS, world, market);
    if (t > WARMUP_TICKS) fullPerTick.push(cpuMs(before));
  }
  return { perTick: perTick.sort((a, b) => a - b), fullPerTick: fullPerTick.sort((a, b) => a - b), subSteps };
}

interface MeshMessage {
  ready?: boolean;
  url?: string;
  realm?: string;
  done?: boolean;
  delivered?: number;
  utilities?: TickSummary;
}

/** The homes app in this process; gateways, clock and utilities in a child (bench/sim/region-mesh.ts). */
async function liveRegion(homeCount: number, ticks: number, transport: 'tls' | 'quic') {
  const log = createLogger('bench', 'warn');
  const child = fork(join(__dirname, 'sim', 'region-mesh.ts'), [transport, String(SPEED), String(TICK_MS)], {
    execArgv: ['-r', 'tsx/cjs'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = () =>
    new Promise<MeshMessage>((resolve, reject) => {
      child.once('message', (m) => resolve(m as MeshMessage));
      child.once('exit', (code) => reject(new Error(`region-mesh exited with ${code}`)));
    });
  try {
    const ready = await next();
    const client = await connect({ url: ready.url!, realm: ready.realm!, insecure: true, clientId: 'homes' });
    const homes = createHomesApp(
      {
        region: 'antwerp',
        homes: loadHomes(['antwerp-1000'], 'antwerp').slice(0, homeCount),
        tariff: loadNetworkTariffs().antwerp,
        thresholdEur: 50,
        propensity: DEFAULT_SWITCH_PROPENSITY,
        seed: 'bench',
        log,
      },
      client,
    );
    await homes.start();
    await new Promise((r) => setTimeout(r, 500)); // interest propagation to the hub
    child.send({ cmd: 'start' });
    // Warm-up: the first ticks set the baseline, announce every home, assign first contracts and JIT-compile.
    await waitFor(() => homes.stats.ticks >= WARMUP_TICKS, (WARMUP_TICKS + 10) * TICK_MS, 'warm-up');
    homes.stats.reset();
    const cpuBefore = process.cpuUsage();
    const wallBefore = Date.now();
    const publishedBefore = homes.stats.summary().published;
    await waitFor(() => homes.stats.ticks >= ticks, (ticks + 10) * TICK_MS, `${ticks} ticks`);
    const wall = Date.now() - wallBefore;
    const cpu = cpuMs(cpuBefore);
    const done = next();
    child.send({ cmd: 'stop' });
    const result = await done;
    const h = homes.stats.summary();
    // Contracts confirmed by a provider during the run (first contracts are assigned locally).
    const switched = homes.homes.filter(
      (x) => x.contract && !x.contract.contract_id.startsWith('initial-'),
    ).length;
    const malformed = homes.malformed.total;
    await homes.stop();
    await client.close();
    const publishedInRun = h.published - publishedBefore;
    return {
      h,
      u: result.utilities!,
      delivered: result.delivered!,
      wall,
      cpu,
      switched,
      malformed,
      publishedInRun,
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      homes: { type: 'string', default: '1000' },
      ticks: { type: 'string', default: '30' },
      'live-ticks': { type: 'string', default: '60' },
      transport: { type: 'string', default: 'tls' },
    },
  });
  const homeCount = Number(values.homes);
  const ticks = Number(values.ticks);
  const liveTicks = Number(values['live-ticks']);
  const transport = values.transport;
  if (![homeCount, ticks, liveTicks].every((n) => Number.isInteger(n) && n > 0) || homeCount > 1000) {
    throw new Error('--homes (1..1000), --ticks and --live-ticks must be positive integers');
  }
  if (transport !== 'tls' && transport !== 'quic')
    throw new Error(`--transport must be tls or quic, got '${transport}'`);

  const pure = pureModel(homeCount, ticks);
  const median = pct(pure.perTick, 50);
  const rows: [string, string, string][] = [
    [
      `pure model, ${homeCount} homes × 29.2 h, ${ticks} ticks: CPU per tick (median / p99)`,
      `${fmt(median)} / ${fmt(pct(pure.perTick, 99))} ms`,
      '< 50 ms',
    ],
    [
      'pure model, homes simulated per CPU second (29.2 h each)',
      `${Math.round((homeCount / median) * 1000).toLocaleString('en')}`,
      '> 20,000',
    ],
    [
      'pure model, sub-steps per CPU second',
      `${Math.round((pure.subSteps / pure.perTick.reduce((a, b) => a + b, 0)) * 1000).toLocaleString('en')}`,
      '',
    ],
    [
      'home tick incl. trades + payloads, CPU per tick (median / p99)',
      `${fmt(pct(pure.fullPerTick, 50))} / ${fmt(pct(pure.fullPerTick, 99))} ms`,
      '',
    ],
  ];
  process.stdout.write(
    `pure model done; running the region apps on real gateways (${transport}) for ${liveTicks} ticks of ${TICK_MS} ms…\n`,
  );
  const live = await liveRegion(homeCount, liveTicks, transport);
  rows.push(
    [
      `homes app, ${homeCount} homes, ${liveTicks} ticks after ${WARMUP_TICKS} warm-up: tick p50 / p99 / max`,
      `${fmt(live.h.p50Ms)} / ${fmt(live.h.p99Ms)} / ${fmt(live.h.maxMs)} ms`,
      '',
    ],
    [
      'homes app, synchronous part of a tick (model, payloads, client encoding), p99',
      `${fmt(live.h.cpuP99Ms)} ms`,
      '',
    ],
    ['homes app, tick p99 as % of TICK_MS', `${fmt((live.h.p99Ms / TICK_MS) * 100)} %`, '< 25 %'],
    ['utilities app (5 providers), tick p99', `${fmt(live.u.p99Ms)} ms`, ''],
    [
      'events published by the homes app in the measured ticks',
      `${live.publishedInRun.toLocaleString('en')} (${Math.round((live.publishedInRun / live.wall) * 1000).toLocaleString('en')}/s)`,
      '',
    ],
    ['events published by the utilities app (whole run)', live.u.published.toLocaleString('en'), ''],
    [
      'events delivered to a hub subscriber of be.cortexiq.> (whole run)',
      live.delivered.toLocaleString('en'),
      '',
    ],
    ['homes that switched or renewed during the run', String(live.switched), ''],
    ['malformed events seen', String(live.malformed), '0'],
    [
      'homes app process CPU during the measured ticks',
      `${fmt((live.cpu / live.wall) * 100)} % of one core`,
      '',
    ],
  );
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const line = (a: string, b: string, c: string) => `${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`;
  process.stdout.write(
    [
      '',
      line('measure', 'value', 'target'),
      line('-'.repeat(w0), '-'.repeat(w1), '------'),
      ...rows.map((r) => line(...r)),
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:sim failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
