/**
 * The measurements, the same code for every system: windowed publish → subscribe throughput, and
 * sequential request/reply latency. Nothing here knows which system it talks to.
 */
import { randomBytes } from 'node:crypto';
import type { BenchClient } from './system';
import { sleep } from './wait';

export const PAYLOAD_BYTES = 200;
/** Probes are 1 byte, so the subscriber tells them from measured messages by size. */
const PROBE = Buffer.from([0]);
/** Messages published per event-loop turn before yielding to I/O. */
const CHUNK = 1000;

export interface ThroughputOptions {
  messages: number;
  /** At most this many messages published beyond what the subscriber has received. */
  window: number;
  /** Give up after this long without a single message received. */
  stallMs: number;
  /** Hard limit for each of the warm-up and the measured run. */
  deadlineMs: number;
  /** Untimed messages sent first through the same subscription. */
  warmup: number;
}

export interface ThroughputResult {
  /** Messages published in the timed run (all of them unless `problem` says why not). */
  sent: number;
  received: number;
  lost: number;
  seconds: number;
  msgsPerSec: number;
  /** Why the run ended early, when it did. */
  problem?: string;
}

/** Counts received messages and wakes the publisher when a target count is reached. */
class ReceiveCounter {
  count = 0;
  probes = 0;
  private target = Infinity;
  private wake: (() => void) | undefined;

  hit(size: number): void {
    if (size !== PAYLOAD_BYTES) {
      this.probes++;
      return;
    }
    this.count++;
    if (this.count >= this.target) {
      this.target = Infinity;
      const w = this.wake;
      this.wake = undefined;
      w?.();
    }
  }

  /** True once `count >= target`; false if no message arrived for `stallMs`. */
  async reach(target: number, stallMs: number): Promise<boolean> {
    while (this.count < target) {
      const before = this.count;
      const woke = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), stallMs);
        this.target = target;
        this.wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      if (!woke && this.count === before) return false;
    }
    return true;
  }
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * Interest has to travel (NATS route, our link-state mesh) before a publication reaches a remote
 * subscriber: publish probes until one arrives, so the measured messages all have a route.
 */
async function waitForInterest(
  pub: BenchClient,
  subject: string,
  counter: ReceiveCounter,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (counter.probes === 0) {
    if (Date.now() > deadline)
      throw new Error(`no probe message reached the subscriber on ${subject} within ${timeoutMs} ms`);
    pub.publish(subject, PROBE);
    await pub.flush();
    await sleep(50);
  }
}

/**
 * Publish `count` messages keeping at most `window` beyond what the subscriber has received, then
 * wait for the last one. `counter` may already hold earlier (warm-up) messages.
 */
async function pump(
  pub: BenchClient,
  subject: string,
  payload: Buffer,
  counter: ReceiveCounter,
  count: number,
  opts: ThroughputOptions,
): Promise<{ sent: number; problem?: string }> {
  const base = counter.count;
  const deadline = performance.now() + opts.deadlineMs;
  let sent = 0;
  const stalled = (): string =>
    `subscriber stalled for ${opts.stallMs} ms at ${counter.count - base}/${sent}`;
  while (sent < count) {
    if (performance.now() > deadline) return { sent, problem: `deadline of ${opts.deadlineMs} ms reached` };
    const room = Math.min(opts.window - (base + sent - counter.count), count - sent, CHUNK);
    if (room < Math.min(CHUNK, count - sent)) {
      // Window full: wait until a whole chunk fits again.
      if (!(await counter.reach(base + sent - opts.window + CHUNK, opts.stallMs)))
        return { sent, problem: stalled() };
      continue;
    }
    for (let i = 0; i < room; i++) pub.publish(subject, payload);
    sent += room;
    await turn();
  }
  if (!(await counter.reach(base + sent, opts.stallMs))) return { sent, problem: stalled() };
  return { sent };
}

/** A counting subscriber with the route to it known, and the payload to publish. */
async function subscribed(pub: BenchClient, sub: BenchClient, subject: string) {
  const counter = new ReceiveCounter();
  await sub.subscribe(subject, (size) => counter.hit(size));
  await waitForInterest(pub, subject, counter, 10_000);
  return { counter, payload: randomBytes(PAYLOAD_BYTES) };
}

/** A run that failed in its untimed warm-up: nothing measured, what was lost counted. */
function warmupFailed(sent: number, received: number, problem: string): ThroughputResult {
  return { sent, received, lost: sent - received, seconds: 0, msgsPerSec: 0, problem: `warm-up: ${problem}` };
}

export async function measureThroughput(
  pub: BenchClient,
  sub: BenchClient,
  subject: string,
  opts: ThroughputOptions,
): Promise<ThroughputResult> {
  const { counter, payload } = await subscribed(pub, sub, subject);

  // Warm-up through the same path, untimed: JIT and buffers settle the same way for every system.
  const warm = await pump(pub, subject, payload, counter, opts.warmup, opts);
  if (warm.problem) {
    await counter.reach(warm.sent, 1000);
    return warmupFailed(warm.sent, counter.count, warm.problem);
  }

  const base = counter.count;
  const start = performance.now();
  const run = await pump(pub, subject, payload, counter, opts.messages, opts);
  const seconds = (performance.now() - start) / 1000;
  const inTime = counter.count - base;
  // Late arrivals still count against loss: give stragglers a moment before calling anything lost.
  if (run.problem) await counter.reach(base + run.sent, 1000);
  const received = counter.count - base;
  return {
    sent: run.sent,
    received,
    lost: run.sent - received,
    seconds,
    msgsPerSec: inTime / seconds,
    problem: run.problem,
  };
}

/**
 * The naive publish loop (issue 15): `for (…) await publish(…)` (`awaitEvery` 1) or awaiting every
 * 1,000th, no window; rate = messages received / time until the subscriber has them all, so what
 * a client buffers instead of sending is not counted as sent.
 */
export async function measureNaiveLoop(
  pub: BenchClient,
  sub: BenchClient,
  subject: string,
  messages: number,
  awaitEvery: 1 | 1000,
  stallMs: number,
  warmup = 0,
): Promise<ThroughputResult> {
  const { counter, payload } = await subscribed(pub, sub, subject);
  const loop = async (count: number): Promise<void> => {
    for (let i = 1; i <= count; i++) {
      const p = pub.publishAwaitable(subject, payload, i % 1000 === 0);
      if (i % awaitEvery === 0) await p;
    }
  };
  // Warm-up through the same loop, untimed, as measureThroughput does: JIT and buffers settle the
  // same way for every system (a cold first round was up to half as fast).
  if (warmup > 0) {
    await loop(warmup);
    if (!(await counter.reach(warmup, stallMs)))
      return warmupFailed(
        warmup,
        counter.count,
        `subscriber stalled for ${stallMs} ms at ${counter.count}/${warmup}`,
      );
  }
  const base = counter.count;
  const start = performance.now();
  await loop(messages);
  const complete = await counter.reach(base + messages, stallMs);
  const seconds = (performance.now() - start) / 1000;
  const received = counter.count - base;
  return {
    sent: messages,
    received,
    lost: messages - received,
    seconds,
    msgsPerSec: received / seconds,
    ...(complete ? {} : { problem: `subscriber stalled for ${stallMs} ms at ${received}/${messages}` }),
  };
}

export interface RpcOptions {
  calls: number;
  warmup: number;
  timeoutMs: number;
  deadlineMs: number;
}

export interface RpcResult {
  calls: number;
  p50Us: number;
  p99Us: number;
  meanUs: number;
  /** p50 of each round's block of calls, NaN where a round timed nothing. */
  perRoundP50: number[];
  problem?: string;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** `server` serves `subject` (echo) and `caller` has called it `warmup` times: ready to time. */
export async function prepareRpc(
  caller: BenchClient,
  server: BenchClient,
  subject: string,
  opts: RpcOptions,
): Promise<void> {
  await server.serve(subject);
  const payload = randomBytes(PAYLOAD_BYTES);
  // The first call may race the registration reaching the router: retry briefly.
  const readyBy = Date.now() + 5000;
  for (;;) {
    try {
      await caller.request(subject, payload, opts.timeoutMs);
      break;
    } catch (err) {
      if (Date.now() > readyBy)
        throw new Error(`first call to ${subject} kept failing: ${(err as Error).message}`);
      await sleep(50);
    }
  }
  for (let i = 0; i < opts.warmup; i++) await caller.request(subject, payload, opts.timeoutMs);
}

/** One block of `calls` sequential round trips of a 200-byte payload: each one's time in µs. */
export async function timeRpcCalls(
  caller: BenchClient,
  subject: string,
  calls: number,
  opts: RpcOptions,
): Promise<{ samples: Float64Array; problem?: string }> {
  const payload = randomBytes(PAYLOAD_BYTES);
  const samples = new Float64Array(calls);
  const deadline = performance.now() + opts.deadlineMs;
  let n = 0;
  for (; n < calls; n++) {
    const t0 = performance.now();
    if (t0 > deadline)
      return {
        samples: samples.slice(0, n),
        problem: `deadline of ${opts.deadlineMs} ms reached after ${n} calls`,
      };
    await caller.request(subject, payload, opts.timeoutMs);
    samples[n] = (performance.now() - t0) * 1000;
  }
  return { samples };
}

/** p50/p99/mean over every block, and each block's own p50 (rounds interleave the systems). */
export function summarizeRpc(blocks: Float64Array[], problems: string[]): RpcResult {
  const all = new Float64Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    all.set(b, at);
    at += b.length;
  }
  all.sort();
  const mean = all.reduce((a, b) => a + b, 0) / Math.max(1, all.length);
  return {
    calls: all.length,
    p50Us: percentile(all, 50),
    p99Us: percentile(all, 99),
    meanUs: mean,
    perRoundP50: blocks.map((b) => (b.length > 0 ? percentile(b.slice().sort(), 50) : NaN)),
    problem: problems.length > 0 ? problems.join('; ') : undefined,
  };
}
