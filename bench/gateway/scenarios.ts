/**
 * The four scenarios of issue 2: (1) one server, (2) across two linked servers, (3) sequential
 * request/reply, (4) peak RSS of the servers afterwards. The machine is shared, so throughput is
 * measured in rounds that interleave the systems, and each figure is the median of its rounds.
 */
import {
  measureNaiveLoop,
  measureThroughput,
  prepareRpc,
  summarizeRpc,
  timeRpcCalls,
  type RpcOptions,
  type RpcResult,
  type ThroughputResult,
} from './measure';
import { contextSwitches, rssMb } from './processes';
import type { BenchClient, SystemUnderTest } from './system';

/** The measured scenarios, by their number in the table; (4), the RSS, is read after any of them. */
export type ScenarioId = 1 | 2 | 3 | 5;
export const ALL_SCENARIOS: readonly ScenarioId[] = [1, 2, 3, 5];

export interface ScenarioOptions {
  messages: number;
  calls: number;
  window: number;
  rounds: number;
  /** Which scenarios run (all by default); the others show as n/a. */
  scenarios: ReadonlySet<ScenarioId>;
}

export interface ThroughputSummary {
  /** Median over the rounds that completed; NaN when none did. */
  msgsPerSec: number;
  /** msgs/s of each round, NaN where the round did not complete. */
  perRound: number[];
  /** Messages published and never received, over all rounds (warm-ups included). */
  lost: number;
  problems: string[];
}

export interface SystemResult {
  label: string;
  oneServer: ThroughputSummary;
  twoServers: ThroughputSummary;
  /** (5) the naive publish loop on one server: awaiting every publish, and every 1,000th. */
  naiveEach: ThroughputSummary;
  naiveThousandth: ThroughputSummary;
  rpc: RpcResult;
  /** Context switches of server A's threads per request/reply, over the whole RPC scenario. */
  switchesPerCall: number;
  /** Peak RSS per server process (A, B), MB. */
  rssMb: number[];
  /** RSS per server process once started and linked, before any measurement, MB. */
  startRssMb: number[];
  /** Drops or async errors the system itself reported to the clients. */
  reportedDrops: number;
  /** Client connection attempts that failed and were retried. */
  connectFailures: number;
}

type Log = (line: string) => void;

export const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

function summarize(rounds: ThroughputResult[]): ThroughputSummary {
  const done = rounds.filter((r) => !r.problem);
  return {
    msgsPerSec: median(done.map((r) => r.msgsPerSec)),
    perRound: rounds.map((r) => (r.problem ? NaN : r.msgsPerSec)),
    lost: rounds.reduce((n, r) => n + r.lost, 0),
    problems: rounds.flatMap((r) => (r.problem ? [r.problem] : [])),
  };
}

/** Connect fresh clients, run `fn`, close them; also returns the drops the clients were told of. */
async function withClients<T>(
  sys: SystemUnderTest,
  urls: string[],
  names: string[],
  fn: (clients: BenchClient[]) => Promise<T>,
): Promise<[T, number]> {
  const clients: BenchClient[] = [];
  try {
    for (let i = 0; i < urls.length; i++) clients.push(await sys.connect(urls[i], names[i]));
    const result = await fn(clients);
    return [result, clients.reduce((n, c) => n + c.dropped, 0)];
  } finally {
    await Promise.allSettled(clients.map((c) => c.close()));
  }
}

/** Server A's peak RSS so far: logged after each scenario, it shows which one raised the peak. */
const peakA = (sys: SystemUnderTest): string => `; A peak ${rssMb(sys.pids[0], 'VmHWM').toFixed(0)} MB`;

const describe = (r: ThroughputResult): string =>
  `${Math.round(r.msgsPerSec).toLocaleString('en-US')} msgs/s, ${r.received}/${r.sent} in ` +
  `${r.seconds.toFixed(2)} s${r.lost ? `, ${r.lost} LOST` : ''}${r.problem ? ` (${r.problem})` : ''}`;

interface Accumulator {
  one: ThroughputResult[];
  two: ThroughputResult[];
  naiveEach: ThroughputResult[];
  naiveThousandth: ThroughputResult[];
  drops: number;
}

export async function runScenarios(
  systems: SystemUnderTest[],
  opts: ScenarioOptions,
  log: Log,
): Promise<SystemResult[]> {
  const tput = {
    messages: opts.messages,
    window: opts.window,
    warmup: Math.min(20_000, Math.ceil(opts.messages / 10)),
    stallMs: 5000,
    deadlineMs: 60_000,
  };
  const acc: Accumulator[] = systems.map(() => ({
    one: [],
    two: [],
    naiveEach: [],
    naiveThousandth: [],
    drops: 0,
  }));
  const startRss = systems.map((sys) => sys.pids.map((pid) => rssMb(pid, 'VmRSS')));

  for (let round = 1; round <= opts.rounds; round++) {
    log(`round ${round}/${opts.rounds}`);
    for (const [i, sys] of systems.entries()) {
      const [urlA, urlB] = sys.urls;
      const a = acc[i];
      if (opts.scenarios.has(1)) {
        const [one, d] = await withClients(sys, [urlA, urlA], ['bench-pub', 'bench-sub'], ([pub, sub]) =>
          measureThroughput(pub, sub, `bench.one.r${round}`, tput),
        );
        log(`  ${sys.label.padEnd(9)} (1) one server: ${describe(one)}${peakA(sys)}`);
        a.one.push(one);
        a.drops += d;
      }
      if (opts.scenarios.has(2)) {
        const [two, d] = await withClients(sys, [urlA, urlB], ['bench-pub', 'bench-sub'], ([pub, sub]) =>
          measureThroughput(pub, sub, `bench.two.r${round}`, tput),
        );
        log(`  ${sys.label.padEnd(9)} (2) A → B:      ${describe(two)}${peakA(sys)}`);
        a.two.push(two);
        a.drops += d;
      }
      if (!opts.scenarios.has(5)) continue;
      for (const every of [1, 1000] as const) {
        const mode = sys.pacesWithFlush ? 1000 : every;
        const [r, d] = await withClients(sys, [urlA, urlA], ['bench-pub', 'bench-sub'], ([pub, sub]) =>
          measureNaiveLoop(
            pub,
            sub,
            `bench.naive${every}.r${round}`,
            opts.messages,
            mode,
            tput.stallMs,
            tput.warmup,
          ),
        );
        log(
          `  ${sys.label.padEnd(9)} (5) naive loop, await every ${every === 1 ? 'publish' : '1,000th'}: ${describe(r)}${peakA(sys)}`,
        );
        (every === 1 ? a.naiveEach : a.naiveThousandth).push(r);
        a.drops += d;
      }
    }
  }

  const rpcOpts = {
    calls: opts.calls,
    warmup: Math.min(500, opts.calls),
    timeoutMs: 5000,
    deadlineMs: 60_000,
  };
  const rpcs = opts.scenarios.has(3)
    ? await runRpcRounds(systems, opts.rounds, rpcOpts, log)
    : systems.map(() => ({ rpc: summarizeRpc([], []), switchesPerCall: NaN, drops: 0 }));
  rpcs.forEach((r, i) => (acc[i].drops += r.drops));

  return systems.map((sys, i) => {
    const peak = sys.pids.map((pid) => rssMb(pid, 'VmHWM'));
    const mb = (xs: number[]): string => xs.map((m) => `${m.toFixed(1)} MB`).join(', ');
    log(`  ${sys.label.padEnd(9)} (4) peak RSS: ${mb(peak)} (at start: ${mb(startRss[i])})`);
    return {
      label: sys.label,
      oneServer: summarize(acc[i].one),
      twoServers: summarize(acc[i].two),
      naiveEach: summarize(acc[i].naiveEach),
      naiveThousandth: summarize(acc[i].naiveThousandth),
      rpc: rpcs[i].rpc,
      switchesPerCall: rpcs[i].switchesPerCall,
      rssMb: peak,
      startRssMb: startRss[i],
      reportedDrops: acc[i].drops,
      connectFailures: sys.connectFailures,
    };
  });
}

/**
 * (3): every system's caller and callee stay connected on server A while the calls are split into
 * rounds that take turns across the systems, as the throughput rounds do: a burst of load from a
 * neighbour on this shared machine then hits one round of every system, not all of one system's
 * calls, and the p50 ratio is taken per round.
 */
async function runRpcRounds(
  systems: SystemUnderTest[],
  rounds: number,
  opts: RpcOptions,
  log: Log,
): Promise<Array<{ rpc: RpcResult; switchesPerCall: number; drops: number }>> {
  const pairs: BenchClient[][] = [];
  try {
    for (const sys of systems) {
      const pair = [
        await sys.connect(sys.urls[0], 'bench-caller'),
        await sys.connect(sys.urls[0], 'bench-callee'),
      ];
      pairs.push(pair);
      await prepareRpc(pair[0], pair[1], 'bench.echo', opts);
    }
    const blocks: Float64Array[][] = systems.map(() => []);
    const problems: string[][] = systems.map(() => []);
    const switches = systems.map(() => 0);
    const perRound = Math.ceil(opts.calls / rounds);
    for (let round = 0; round < rounds; round++) {
      for (const [i, sys] of systems.entries()) {
        const before = contextSwitches(sys.pids[0]);
        const block = await timeRpcCalls(pairs[i][0], 'bench.echo', perRound, opts);
        switches[i] += contextSwitches(sys.pids[0]) - before;
        blocks[i].push(block.samples);
        if (block.problem) problems[i].push(block.problem);
      }
    }
    return systems.map((sys, i) => {
      const rpc = summarizeRpc(blocks[i], problems[i]);
      log(
        `  ${sys.label.padEnd(9)} (3) RPC: p50 ${rpc.p50Us.toFixed(0)} µs, p99 ${rpc.p99Us.toFixed(0)} µs ` +
          `over ${rpc.calls} calls in ${rounds} rounds (p50 per round: ` +
          `${rpc.perRoundP50.map((x) => x.toFixed(0)).join(', ')} µs)${rpc.problem ? ` (${rpc.problem})` : ''}`,
      );
      return {
        rpc,
        switchesPerCall: switches[i] / Math.max(1, rpc.calls),
        drops: pairs[i].reduce((n, c) => n + c.dropped, 0),
      };
    });
  } finally {
    await Promise.allSettled(pairs.flat().map((c) => c.close()));
  }
}
