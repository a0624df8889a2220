/**
 * `npm run bench:gateway`: our gateway over QUIC and over TLS/TCP, side by side with NATS in the same
 * run (issue 2, "Figures to reach"). Prints one table with the ratios and the targets.
 *
 *   npm run bench:gateway -- [--messages 200000] [--calls 10000] [--window 20000] [--cpu-prof DIR]
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureNatsServer, natsServerVersion, startNatsPair } from './gateway/nats-side';
import { startGatewayPair } from './gateway/ours-side';
import { installExitHooks } from './gateway/processes';
import { runScenarios, type ScenarioOptions, type SystemResult } from './gateway/scenarios';
import type { SystemUnderTest } from './gateway/system';
import { formatTable, formatTargets, targets } from './gateway/table';

const USAGE = 'usage: npm run bench:gateway -- [--messages N] [--calls N] [--window N] [--cpu-prof DIR]';

function positiveInt(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name} must be an integer >= ${min}, got '${raw}'\n${USAGE}`);
  return n;
}

function options(): ScenarioOptions & { cpuProfDir?: string } {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string' },
      calls: { type: 'string' },
      window: { type: 'string' },
      'cpu-prof': { type: 'string' },
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
    cpuProfDir: values['cpu-prof'] ? resolve(values['cpu-prof']) : undefined,
  };
}

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

async function measure(start: () => Promise<SystemUnderTest>, opts: ScenarioOptions): Promise<SystemResult> {
  const sys = await start();
  try {
    log(`${sys.label}: servers at ${sys.urls.join(', ')}`);
    return await runScenarios(sys, opts, log);
  } finally {
    await sys.stop();
  }
}

async function main(): Promise<number> {
  installExitHooks();
  const opts = options();
  const bin = ensureNatsServer(log);
  if (opts.cpuProfDir) mkdirSync(opts.cpuProfDir, { recursive: true });
  log(
    `${opts.messages} messages of 200 bytes, window ${opts.window}, ${opts.calls} calls; ${natsServerVersion(bin)}, Node ${process.version}`,
  );

  const began = Date.now();
  const nats = await measure(() => startNatsPair(bin), opts);
  const quic = await measure(
    () => startGatewayPair({ transport: 'quic', cpuProfDir: opts.cpuProfDir }),
    opts,
  );
  const tls = await measure(() => startGatewayPair({ transport: 'tls', cpuProfDir: opts.cpuProfDir }), opts);
  const results = { quic, tls, nats };

  const list = targets(results);
  process.stdout.write(`\n${formatTable(results)}\n\n${formatTargets(list)}\n`);
  const drops = [quic, tls, nats]
    .filter((r) => r.reportedDrops > 0)
    .map((r) => `${r.label}: ${r.reportedDrops}`);
  if (drops.length) process.stdout.write(`\ndrops/errors reported by the systems: ${drops.join(', ')}\n`);
  if (opts.cpuProfDir) process.stdout.write(`\ngateway CPU profiles in ${opts.cpuProfDir}\n`);
  process.stdout.write(
    `\n${list.filter((t) => t.pass).length}/${list.length} targets met; run took ${((Date.now() - began) / 1000).toFixed(0)} s\n`,
  );
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
