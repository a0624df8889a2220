/**
 * `npm run bench:flood`: QUIC Initial flood against one gateway (docs/protocol.md, protection).
 * Three processes: the gateway (flood/gateway-child.ts), the flood (flood/sender-child.ts: valid
 * QUIC v1 Initials under fresh connection ids from a pool of UDP sockets, i.e. many source ports,
 * paced over a fixed time) and this one, whose connected client measures its acknowledged-publish
 * round trip. Prints the gateway's RSS (idle, peak, settled), the client's
 * p50/p99 before and during the flood, the Initials sent per second and the gateway's counters.
 * Bounded: `--initials` × `--bursts` datagrams, then `--settle` seconds.
 *
 *   npm run bench:flood -- [--initials 20000] [--seconds 10] [--bursts 1] [--settle 30] [--sockets 64]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connect, type GatewayClient } from '../gateway/client';

interface Sample {
  rss: number;
  quic: Record<string, number>;
}

const MB = 1024 * 1024;
const mb = (n: number): string => `${(n / MB).toFixed(0)} MB`;

function intArg(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`--${name} must be a non-negative integer, got '${raw}'`);
  return n;
}

function sample(child: ChildProcess): Promise<Sample> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as Sample));
    child.send('sample');
  });
}

/**
 * Acknowledged publishes every 20 ms until `stop()`; returns the round trips in ms. One that fails
 * (the client gives up after 10 s) counts with the time it took.
 */
function probe(client: GatewayClient): { stop: () => Promise<number[]> } {
  const rtts: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = process.hrtime.bigint();
      await client.publish('bench.flood.probe', 1, { ack: true }).catch(() => undefined);
      rtts.push(Number(process.hrtime.bigint() - t) / 1e6);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return rtts;
    },
  };
}

function pct(values: number[], p: number): string {
  if (values.length === 0) return '-';
  const sorted = [...values].sort((a, b) => a - b);
  return `${sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(1)} ms`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      initials: { type: 'string' },
      seconds: { type: 'string' },
      bursts: { type: 'string' },
      settle: { type: 'string' },
      sockets: { type: 'string' },
    },
  });
  const initials = intArg(values.initials, 20_000, 'initials');
  const seconds = intArg(values.seconds, 10, 'seconds');
  const bursts = intArg(values.bursts, 1, 'bursts');
  const settleS = intArg(values.settle, 30, 'settle');
  const socketCount = Math.max(1, intArg(values.sockets, 64, 'sockets'));

  const child = fork(join(__dirname, 'flood', 'gateway-child.ts'), [], {
    execArgv: ['-r', 'tsx/cjs'],
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
  const ready = await new Promise<{ url: string }>((resolve) =>
    child.once('message', (m) => resolve(m as { url: string })),
  );
  const port = Number(new URL(ready.url).port);
  const sender = fork(join(__dirname, 'flood', 'sender-child.ts'), [], { execArgv: ['-r', 'tsx/cjs'] });
  await new Promise((resolve) => sender.once('message', resolve));
  const burst = (): Promise<number> =>
    new Promise((resolve) => {
      sender.once('message', (m) => resolve((m as { rate: number }).rate));
      sender.send({ port, initials, seconds, sockets: socketCount });
    });
  const client = await connect({ url: ready.url, realm: 'test.realm', insecure: true, reconnect: false });
  try {
    const before = probe(client);
    await new Promise((r) => setTimeout(r, 2000));
    const quiet = await before.stop();
    const idle = await sample(child);
    // The child reports its RSS every 100 ms by itself: asking would wait behind the flood.
    let peak = idle.rss;
    const watch = (m: unknown): void => {
      const s = m as Partial<Sample>;
      if (typeof s.rss === 'number') peak = Math.max(peak, s.rss);
    };
    child.on('message', watch);
    child.send('watch');
    const during = probe(client);
    const rates: number[] = [];
    for (let b = 0; b < bursts; b++) rates.push(await burst());
    const loaded = await during.stop();
    child.send('unwatch');
    child.off('message', watch);
    const after = await sample(child);
    peak = Math.max(peak, after.rss);
    let settled = after;
    for (let s = 0; s < settleS; s++) {
      await new Promise((r) => setTimeout(r, 1000));
      settled = await sample(child);
    }
    const lines = [
      `QUIC Initial flood: ${bursts} x ${initials} Initials over ${seconds} s from ${socketCount} sockets (stack: ${process.env.MACULA_QUIC_STACK ?? 'default'})`,
      `  Initials sent/s            ${rates.map((r) => r.toFixed(0)).join(', ')}`,
      `  gateway RSS idle           ${mb(idle.rss)}`,
      `  gateway RSS peak           ${mb(peak)}`,
      `  gateway RSS after flood    ${mb(after.rss)}`,
      `  gateway RSS ${settleS} s later     ${mb(settled.rss)} (${(((settled.rss - idle.rss) / idle.rss) * 100).toFixed(0)} % over idle)`,
      `  client p50/p99 before      ${pct(quiet, 50)} / ${pct(quiet, 99)} (${quiet.length} round trips)`,
      `  client p50/p99 during      ${pct(loaded, 50)} / ${pct(loaded, 99)} (${loaded.length} round trips)`,
      `  gateway counters           ${JSON.stringify(settled.quic)}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await client.close();
    sender.disconnect();
    child.disconnect();
  }
}

main().catch((err) => {
  process.stderr.write(`bench:flood failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
