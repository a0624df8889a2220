/**
 * The slow-consumer scenario of issue 16 (docs/loss.md "Slow consumers"): one gateway process,
 * a publisher and two normal subscribers (client library, QUIC), and optionally a third
 * subscriber on a bare TLS socket that never reads. Reports the normal subscribers' rate, the
 * gateway's peak RSS and what was dropped for the stuck one.
 */
import { readFileSync } from 'node:fs';
import { connect, type GatewayClient } from '../../gateway/client';
import { RawTlsSocketClient } from '../../test/helpers/raw-client';
import { M } from '../../gateway/protocol/messages';
import { rssMb, stopServer } from '../gateway/processes';
import { metric, REALM, spawnGateway } from './gateway-process';

export interface SlowConsumerResult {
  /** Messages per second at each normal subscriber, first to last message. */
  rates: number[];
  /** Messages each normal subscriber missed. */
  missed: number[];
  rssPeakMb: number;
  /** The gateway's CPU time (user + system) while the messages went through, in seconds. */
  gatewayCpuS: number;
  droppedForSlow: number;
  /** Time the gateway spent in full (mark-compact) collections since it started, in ms. */
  majorGcMs: number;
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

const TOPIC = 'be.cortexiq.bench.slow';
const WINDOW = 20_000;

export async function slowConsumer(
  messages: number,
  withSlow: boolean,
  env: Record<string, string> = {},
): Promise<SlowConsumerResult> {
  const gw = await spawnGateway(`slow-${withSlow ? 'on' : 'off'}`, env);
  const clients: GatewayClient[] = [];
  let stuck: RawTlsSocketClient | undefined;
  try {
    const open = async (name: string): Promise<GatewayClient> => {
      const c = await connect({ url: gw.url('quic'), realm: REALM, insecure: true, clientId: name });
      clients.push(c);
      return c;
    };
    const counts = [0, 0];
    const first = [0, 0];
    const last = [0, 0];
    for (const i of [0, 1]) {
      const sub = await open(`normal-${i}`);
      await sub.subscribe<Uint8Array>(TOPIC, () => {
        if (counts[i]++ === 0) first[i] = Date.now();
        last[i] = Date.now();
      });
    }
    if (withSlow) {
      stuck = await RawTlsSocketClient.dial(gw.port);
      await stuck.hello(REALM);
      await stuck.request((id) => [M.SUBSCRIBE, id, TOPIC, null]);
      stuck.pause();
    }
    const pub = await open('publisher');
    const payload = new Uint8Array(200).fill(7);
    await pub.publish(TOPIC, payload, { ack: true }); // subscriptions in place
    const cpuBefore = cpuSeconds(gw.proc.pid);
    // Paced by the normal subscribers (at most WINDOW ahead of the slower one): they share this
    // process with the publisher, and unpaced they would be slow consumers themselves.
    for (let n = 1; n < messages; n++) {
      while (n - Math.min(counts[0], counts[1]) > WINDOW) await new Promise((r) => setTimeout(r, 1));
      await pub.publish(TOPIC, payload);
    }
    await pub.flush();
    // Bounded wait for the normal subscribers: until both have everything or nothing moves for 5 s.
    let seen = -1;
    let stillSince = Date.now();
    while (counts[0] + counts[1] < 2 * messages && Date.now() - stillSince < 5000) {
      if (counts[0] + counts[1] !== seen) [seen, stillSince] = [counts[0] + counts[1], Date.now()];
      await new Promise((r) => setTimeout(r, 50));
    }
    return {
      rates: [0, 1].map((i) => Math.round((counts[i] - 1) / Math.max(0.001, (last[i] - first[i]) / 1000))),
      missed: counts.map((c) => messages - c),
      rssPeakMb: Math.round(rssMb(gw.proc.pid, 'VmHWM')),
      gatewayCpuS: Math.round((cpuSeconds(gw.proc.pid) - cpuBefore) * 10) / 10,
      droppedForSlow: await metric(gw, 'macula_slow_consumer_drops_total'),
      majorGcMs: Math.round(
        1000 * (await metric(gw, 'macula_process_nodejs_gc_duration_seconds_sum', 'kind="major"')),
      ),
    };
  } finally {
    stuck?.destroy();
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await stopServer(gw.proc);
  }
}
