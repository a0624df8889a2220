/**
 * `npm run bench:naive`: only scenario (5) of bench:gateway, the naive publish loop (issue 15), on
 * one gateway pair, repeated: publisher and subscriber on gateway A, each round with fresh clients.
 * Per round it prints what the subscriber received, the drops the gateway told it of, and what
 * gateway A's /metrics says about the subscriber's queue (peak bytes sampled every 100 ms, slow
 * consumer drops) and gateway A's peak RSS so far, so a loss shows whether it was the queue bound
 * or a stall.
 *
 *   npm run bench:naive -- [--transport quic|tls] [--stack ngtcp2|quinn] [--messages 200000]
 *                          [--every 1000] [--rounds 6] [--cpu-prof DIR]
 *
 * `--cpu-prof DIR` profiles the two gateways (bench/gateway/profile-summary.ts reads them); run
 * this script itself under `node --cpu-prof` to profile the publishing client.
 *
 * Exits 1 when any round lost a message.
 */
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { QuicStack } from '../gateway/transport/select';
import { measureNaiveLoop, type ThroughputResult } from './gateway/measure';
import { cpuSeconds, installExitHooks, rssMb } from './gateway/processes';
import { startGatewayPair } from './gateway/ours-side';
import { benchClientOrigin } from './gateway/client-module';
import type { SystemUnderTest } from './gateway/system';

const STALL_MS = 5000;
const SAMPLE_MS = 100;

function options() {
  const { values } = parseArgs({
    options: {
      transport: { type: 'string', default: 'quic' },
      stack: { type: 'string', default: 'ngtcp2' },
      messages: { type: 'string', default: '200000' },
      every: { type: 'string', default: '1000' },
      rounds: { type: 'string', default: '6' },
      'cpu-prof': { type: 'string' },
    },
  });
  const transport = values.transport as 'quic' | 'tls';
  const stack = values.stack as QuicStack;
  const every = Number(values.every);
  const messages = Number(values.messages);
  const rounds = Number(values.rounds);
  if (transport !== 'quic' && transport !== 'tls') throw new Error('--transport is quic or tls');
  if (stack !== 'ngtcp2' && stack !== 'quinn') throw new Error('--stack is ngtcp2 or quinn');
  if (every !== 1 && every !== 1000) throw new Error('--every is 1 or 1000');
  if (!Number.isInteger(messages) || messages < 1000) throw new Error('--messages must be >= 1000');
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be >= 1');
  const cpuProfDir = values['cpu-prof'] ? resolve(values['cpu-prof']) : undefined;
  return { transport, stack, every: every as 1 | 1000, messages, rounds, cpuProfDir };
}

/** One value of a Prometheus text exposition (the sum over its label sets). */
function metric(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

async function metrics(admin: string): Promise<string> {
  const res = await fetch(`${admin}/metrics`, { signal: AbortSignal.timeout(2000) });
  if (!res.ok) throw new Error(`GET ${admin}/metrics: HTTP ${res.status}`);
  return res.text();
}

/** Samples gateway A's client queue while `run` goes on; returns the peak and the drops counted. */
async function watched<T>(
  admin: string,
  run: () => Promise<T>,
): Promise<{ result: T; peakQueueBytes: number; slowDrops: number }> {
  const dropsBefore = metric(await metrics(admin), 'macula_slow_consumer_drops_total');
  let peak = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, metric(await metrics(admin), 'macula_client_queue_bytes'));
      await new Promise((r) => setTimeout(r, SAMPLE_MS));
    }
  })();
  try {
    const result = await run();
    return {
      result,
      peakQueueBytes: peak,
      slowDrops: metric(await metrics(admin), 'macula_slow_consumer_drops_total') - dropsBefore,
    };
  } finally {
    sampling = false;
    await sampler;
  }
}

async function round(sys: SystemUnderTest, n: number, opts: ReturnType<typeof options>) {
  const pub = await sys.connect(sys.urls[0], 'naive-pub');
  const sub = await sys.connect(sys.urls[0], 'naive-sub');
  try {
    // CPU per message, of this process (publisher and subscriber) and of gateway A: steadier than
    // msgs/s on a shared machine, where a neighbour's load stretches the wall clock.
    const client0 = process.cpuUsage();
    const gateway0 = cpuSeconds(sys.pids[0]);
    const w = await watched(sys.adminUrls![0], () =>
      measureNaiveLoop(pub, sub, `bench.naive.r${n}`, opts.messages, opts.every, STALL_MS),
    );
    const client = process.cpuUsage(client0);
    const cpuUs = {
      client: (client.user + client.system) / opts.messages,
      gateway: ((cpuSeconds(sys.pids[0]) - gateway0) * 1e6) / opts.messages,
    };
    return { ...w, toldDropped: sub.dropped, cpuUs };
  } finally {
    await Promise.allSettled([pub.close(), sub.close()]);
  }
}

const describe = (r: ThroughputResult): string =>
  `${Math.round(r.msgsPerSec).toLocaleString('en-US')} msgs/s, ${r.received}/${r.sent} in ${r.seconds.toFixed(2)} s` +
  `${r.lost ? `, ${r.lost} LOST` : ''}${r.problem ? ` (${r.problem})` : ''}`;

async function main(): Promise<number> {
  installExitHooks();
  const opts = options();
  if (opts.cpuProfDir) mkdirSync(opts.cpuProfDir, { recursive: true });
  const sys = await startGatewayPair({
    transport: opts.transport,
    quicStack: opts.transport === 'quic' ? opts.stack : undefined,
    cpuProfDir: opts.cpuProfDir,
  });
  let lostRounds = 0;
  try {
    process.stdout.write(
      `${sys.label}: naive loop awaiting every ${opts.every === 1 ? 'publish' : '1,000th'}, ` +
        `${opts.messages} messages x ${opts.rounds} rounds, client from ${benchClientOrigin()}; ` +
        `load average ${loadavg()[0].toFixed(1)}\n`,
    );
    for (let n = 1; n <= opts.rounds; n++) {
      const { result, peakQueueBytes, slowDrops, toldDropped, cpuUs } = await round(sys, n, opts);
      if (result.lost > 0) lostRounds++;
      process.stdout.write(
        `round ${n}: ${describe(result)}; CPU per message: client ${cpuUs.client.toFixed(2)} µs, ` +
          `gateway A ${cpuUs.gateway.toFixed(2)} µs; gateway A: slow-consumer drops ${slowDrops}, ` +
          `peak client queue ${(peakQueueBytes / 2 ** 20).toFixed(1)} MiB, peak RSS so far ` +
          `${rssMb(sys.pids[0], 'VmHWM').toFixed(1)} MB; told dropped ${toldDropped}; ` +
          `load ${loadavg()[0].toFixed(1)}\n`,
      );
    }
  } finally {
    await sys.stop();
  }
  process.stdout.write(`${lostRounds}/${opts.rounds} rounds lost messages\n`);
  return lostRounds > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:naive failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
