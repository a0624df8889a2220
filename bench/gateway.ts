/**
 * `npm run bench:gateway`: our gateway over QUIC and over TLS/TCP, side by side with NATS in the same
 * run (issue 2, "Figures to reach"). Prints one table with the ratios and the targets.
 *
 *   npm run bench:gateway -- [--messages 200000] [--calls 10000] [--window 20000] [--rounds 3]
 *                            [--cpu-prof DIR] [--one-core] [--scenarios 1,2,3,5] [--no-quinn]
 *
 * `--scenarios` runs only the listed scenarios (the others show n/a); `--no-quinn` leaves out the
 * comparison pair on the quinn stack. Both shorten a run that looks at one figure.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureNatsServer, natsServerVersion, startNatsPair } from './gateway/nats-side';
import { startGatewayPair } from './gateway/ours-side';
import { benchClientOrigin } from './gateway/client-module';
import { installExitHooks } from './gateway/processes';
import { quicStack } from '../gateway/transport/select';
import { PAYLOAD_BYTES } from './gateway/measure';
import { WINDOW_FILE, type MeasureWindow } from './gateway/profile-summary';
import {
  ALL_SCENARIOS,
  runScenarios,
  type ScenarioId,
  type ScenarioOptions,
  type SystemResult,
} from './gateway/scenarios';
import type { SystemUnderTest } from './gateway/system';
import { formatTable, formatTargets, targets } from './gateway/table';

const USAGE =
  'usage: npm run bench:gateway -- [--messages N] [--calls N] [--window N] [--rounds N] [--cpu-prof DIR] [--one-core] [--scenarios 1,2,3,5] [--no-quinn]';

function positiveInt(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name} must be an integer >= ${min}, got '${raw}'\n${USAGE}`);
  return n;
}

function scenarioList(raw: string | undefined): Set<ScenarioId> {
  if (raw === undefined) return new Set(ALL_SCENARIOS);
  const ids = raw.split(',').map((s) => Number(s.trim()));
  const bad = ids.filter((n) => !ALL_SCENARIOS.includes(n as ScenarioId));
  if (bad.length > 0 || ids.length === 0)
    throw new Error(`--scenarios takes numbers from ${ALL_SCENARIOS.join(',')}, got '${raw}'\n${USAGE}`);
  return new Set(ids as ScenarioId[]);
}

function options(): ScenarioOptions & { cpuProfDir?: string; oneCore: boolean; quinn: boolean } {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string' },
      calls: { type: 'string' },
      window: { type: 'string' },
      rounds: { type: 'string' },
      'cpu-prof': { type: 'string' },
      'one-core': { type: 'boolean' },
      scenarios: { type: 'string' },
      'no-quinn': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  return {
    messages: positiveInt('messages', values.messages, 200_000),
    calls: positiveInt('calls', values.calls, 10_000),
    // At least one publish chunk (1000 messages) must fit in the window.
    window: positiveInt('window', values.window, 20_000, 1000),
    rounds: positiveInt('rounds', values.rounds, 3),
    cpuProfDir: values['cpu-prof'] ? resolve(values['cpu-prof']) : undefined,
    oneCore: values['one-core'] ?? false,
    scenarios: scenarioList(values.scenarios),
    quinn: !values['no-quinn'],
  };
}

/** All threads of `pid` onto CPU 0, with util-linux `taskset` (Debian ships it in every image). */
function pinToCpu0(pid: number): void {
  const r = spawnSync('taskset', ['-a', '-p', '-c', '0', String(pid)], { encoding: 'utf8' });
  if (r.error || r.status !== 0)
    throw new Error(`--one-core: taskset failed for pid ${pid}: ${r.error?.message ?? r.stderr.trim()}`);
}

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** Start the three systems side by side, so the interleaved rounds see the same machine load. */
async function startAll(
  bin: string,
  cpuProfDir: string | undefined,
  quinn: boolean,
): Promise<SystemUnderTest[]> {
  const systems: SystemUnderTest[] = [];
  try {
    systems.push(await startNatsPair(bin));
    systems.push(await startGatewayPair({ transport: 'quic', quicStack: quicStack(), cpuProfDir }));
    systems.push(await startGatewayPair({ transport: 'tls', cpuProfDir }));
    // The other QUIC stack, for comparison in the same run (issue 2: a QUIC option other than
    // the quinn binding is compared with it side by side).
    if (quinn && quicStack() === 'ngtcp2')
      systems.push(await startGatewayPair({ transport: 'quic', quicStack: 'quinn', cpuProfDir }));
  } catch (err) {
    await Promise.allSettled(systems.map((s) => s.stop()));
    throw err;
  }
  for (const s of systems) log(`${s.label}: servers at ${s.urls.join(', ')}`);
  return systems;
}

async function main(): Promise<number> {
  installExitHooks();
  const opts = options();
  const bin = ensureNatsServer(log);
  if (opts.cpuProfDir) mkdirSync(opts.cpuProfDir, { recursive: true });
  log(
    `${opts.messages} messages of ${PAYLOAD_BYTES} bytes x ${opts.rounds} rounds, window ${opts.window}, ` +
      `${opts.calls} calls; ${natsServerVersion(bin)}, Node ${process.version}, ${cpus().length} cores, ` +
      `our client from ${benchClientOrigin()}, load average ${loadavg()[0].toFixed(1)} at start`,
  );

  const began = Date.now();
  const systems = await startAll(bin, opts.cpuProfDir, opts.quinn);
  if (opts.oneCore) {
    // Every server and the bench itself on CPU 0: no wake-up has to cross vCPUs, which shows how
    // much of a round trip is spent waking threads on another core (README: bench).
    for (const pid of [process.pid, ...systems.flatMap((s) => s.pids)]) pinToCpu0(pid);
    log('--one-core: the bench and every server pinned to CPU 0 (taskset)');
  }
  let measured: SystemResult[];
  const monoUs = (): number => Number(process.hrtime.bigint() / 1000n);
  try {
    const startUs = monoUs();
    measured = await runScenarios(systems, opts, log);
    const window: MeasureWindow = { startUs, endUs: monoUs() };
    if (opts.cpuProfDir) writeFileSync(join(opts.cpuProfDir, WINDOW_FILE), JSON.stringify(window));
  } finally {
    await Promise.allSettled(systems.map((s) => s.stop()));
  }
  const [nats, quic, tls, other] = measured;
  const results = { quic, tls, nats, other };

  const list = targets(results);
  const legend =
    `msgs/s: median of ${opts.rounds} interleaved rounds of ${opts.messages} messages; request/reply: ` +
    `${opts.calls} sequential calls in ${opts.rounds} interleaved rounds; ratios of throughput and p50: ` +
    `median of the per-round ratios`;
  const out: string[] = ['', formatTable(results), '', legend, '', formatTargets(list), ''];
  for (const r of measured) {
    const problems = [...r.oneServer.problems, ...r.twoServers.problems];
    if (r.rpc.problem) problems.push(`RPC: ${r.rpc.problem}`);
    if (r.reportedDrops > 0) problems.push(`${r.reportedDrops} drops/async errors reported to the clients`);
    if (problems.length) out.push(`${r.label}: ${problems.join('; ')}`);
  }
  if (opts.cpuProfDir) {
    out.push(
      `gateway CPU profiles in ${opts.cpuProfDir}: node -r tsx/cjs bench/gateway/profile-summary.ts ${opts.cpuProfDir}`,
    );
  }
  const took = ((Date.now() - began) / 1000).toFixed(0);
  out.push(
    `${list.filter((t) => t.pass).length}/${list.length} targets met; load average ${loadavg()[0].toFixed(1)}; run took ${took} s`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
  // Lost messages are a correctness failure; a missed performance target is a figure, not an error.
  return list.find((t) => t.name.startsWith('lost'))?.pass ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:gateway failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
