/**
 * The four scenarios of issue 2, run against one system: (1) one server, (2) across two linked
 * servers, (3) sequential request/reply, (4) peak RSS of the servers afterwards.
 */
import { measureRpc, measureThroughput, type RpcResult, type ThroughputResult } from './measure';
import type { BenchClient, SystemUnderTest } from './system';

export interface ScenarioOptions {
  messages: number;
  calls: number;
  window: number;
}

export interface SystemResult {
  label: string;
  oneServer: ThroughputResult;
  twoServers: ThroughputResult;
  rpc: RpcResult;
  /** Peak RSS per server process (A, B), MB. */
  rssMb: number[];
  /** Drops the system itself reported to the clients. */
  reportedDrops: number;
  /** Client connection attempts that failed and were retried. */
  connectFailures: number;
}

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

export async function runScenarios(
  sys: SystemUnderTest,
  opts: ScenarioOptions,
  log: (line: string) => void,
): Promise<SystemResult> {
  const [urlA, urlB] = sys.urls;
  const tput = { messages: opts.messages, window: opts.window, stallMs: 5000, deadlineMs: 60_000 };
  const describe = (r: ThroughputResult): string =>
    `${Math.round(r.msgsPerSec)} msgs/s, ${r.received}/${r.sent} received in ${r.seconds.toFixed(2)} s${r.problem ? ` (${r.problem})` : ''}`;

  const [oneServer, drops1] = await withClients(sys, [urlA, urlA], ['bench-pub', 'bench-sub'], ([pub, sub]) =>
    measureThroughput(pub, sub, 'bench.one.server', tput),
  );
  log(`  ${sys.label} (1) one server: ${describe(oneServer)}`);

  const [twoServers, drops2] = await withClients(
    sys,
    [urlA, urlB],
    ['bench-pub', 'bench-sub'],
    ([pub, sub]) => measureThroughput(pub, sub, 'bench.two.servers', tput),
  );
  log(`  ${sys.label} (2) A → B: ${describe(twoServers)}`);

  const [rpc, drops3] = await withClients(
    sys,
    [urlA, urlA],
    ['bench-caller', 'bench-callee'],
    ([caller, callee]) =>
      measureRpc(caller, callee, 'bench.echo', {
        calls: opts.calls,
        warmup: Math.min(500, opts.calls),
        timeoutMs: 5000,
        deadlineMs: 60_000,
      }),
  );
  log(
    `  ${sys.label} (3) RPC: p50 ${rpc.p50Us.toFixed(0)} µs, p99 ${rpc.p99Us.toFixed(0)} µs over ${rpc.calls} calls${rpc.problem ? ` (${rpc.problem})` : ''}`,
  );

  const rssMb = sys.peakRssMb();
  log(`  ${sys.label} (4) peak RSS: ${rssMb.map((m) => `${m.toFixed(1)} MB`).join(', ')}`);
  return {
    label: sys.label,
    oneServer,
    twoServers,
    rpc,
    rssMb,
    reportedDrops: drops1 + drops2 + drops3,
    connectFailures: sys.connectFailures,
  };
}
