/**
 * The scenarios `npm run bench:faults` runs (bench/faults.ts), one row each per round.
 */
import { partitionScenario, type PartitionPlan } from './partitions';
import { publisherGatewayKilled, subscriberGatewayKilled, KILL_SUB_GATEWAY } from './restarts';
import { intermediateGatewayKilled } from './intermediate';
import { sharedGatewayKilled } from './shared-gateway';
import { slowConsumer, type SlowConsumerResult } from './slow-consumer';
import { durableCost } from './durable-cost';

export interface ScenarioRow {
  published: number;
  /** Published and accepted, never delivered (for the slow consumer: dropped for the normal ones). */
  lost: number;
  /** What the gateways counted as given up toward the subscriber (macula_mesh_lost_total, net). */
  reported: number;
  dup: number;
  reorder: number;
  p99Ms: number;
  rssPeakMb: number;
  /** The slow-consumer scenario: how much slower the normal subscribers were (0.1 = 10 %). */
  slowdown?: number;
  /** The same, between the round's two runs without the stuck one: the machine's noise. */
  noise?: number;
  note: string;
}

export interface Scenario {
  name: string;
  title: string;
  run(transport: 'quic' | 'tls'): Promise<ScenarioRow>;
}

const SLOW_MESSAGES = 200_000;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * The stuck subscriber's cost to the others. Two identical runs seconds apart differ here by up to
 * 60 % in rate: the publisher and the gateway wait on each other, and on a shared machine on the
 * scheduler, more than on their own CPU (docs/loss.md "Slow consumers"). So each round runs without
 * it, with it, with it again and without it again (a drift of the machine's load weighs on both
 * alike), and reports how far its two runs without it differ: the noise to read the slowdown against.
 */
const slowScenario: Scenario = {
  name: 'slow',
  title:
    'one subscriber that never reads, 200,000 messages (each round: without it, with it, with it, without it)',
  async run() {
    const off1 = await slowConsumer(SLOW_MESSAGES, false);
    const on1 = await slowConsumer(SLOW_MESSAGES, true);
    const on2 = await slowConsumer(SLOW_MESSAGES, true);
    const off2 = await slowConsumer(SLOW_MESSAGES, false);
    const rate = (r: SlowConsumerResult): number => mean(r.rates);
    const slowdown = 1 - (rate(on1) + rate(on2)) / (rate(off1) + rate(off2));
    const both = (
      f: (r: SlowConsumerResult) => number | string,
      a: SlowConsumerResult,
      b: SlowConsumerResult,
    ) => `${f(a)}, ${f(b)}`;
    const k = (r: SlowConsumerResult): number => Math.round(rate(r) / 1000);
    return {
      published: SLOW_MESSAGES,
      lost: on1.missed[0] + on1.missed[1] + on2.missed[0] + on2.missed[1],
      reported: on2.droppedForSlow,
      dup: 0,
      reorder: 0,
      p99Ms: NaN,
      rssPeakMb: Math.max(on1.rssPeakMb, on2.rssPeakMb),
      slowdown,
      noise: 1 - rate(off2) / rate(off1),
      note:
        `normal subscribers ${both(k, on1, on2)}k msg/s with it, ${both(k, off1, off2)}k without (${(100 * slowdown).toFixed(1)} % slower); ` +
        `gateway CPU ${both((r) => r.gatewayCpuS, on1, on2)} s with it, ${both((r) => r.gatewayCpuS, off1, off2)} s without; ` +
        `full GCs ${both((r) => r.majorGcMs, on1, on2)} ms with it, ${both((r) => r.majorGcMs, off1, off2)} ms without; ` +
        `peak RSS without it ${Math.max(off1.rssPeakMb, off2.rssPeakMb)} MB; dropped for the stuck one ${on2.droppedForSlow}`,
    };
  },
};

const DURABLE_MESSAGES = 100_000;

function durableCostScenario(withLog: boolean): Scenario {
  return {
    name: withLog ? 'durable-cost' : 'durable-cost-memory',
    title: withLog
      ? 'a durable subscriber across one link, as fast as it reads, with GATEWAY_DATA_DIR'
      : 'the same in memory only (baseline)',
    async run() {
      const r = await durableCost(DURABLE_MESSAGES, withLog);
      return {
        published: DURABLE_MESSAGES,
        lost: r.missed,
        reported: NaN,
        dup: 0,
        reorder: 0,
        p99Ms: NaN,
        rssPeakMb: NaN,
        note: `durable subscriber ${Math.round(r.rate / 1000)}k msg/s; subscriber's gateway CPU ${r.gatewayCpuS} s; ${r.commits} batches synced`,
      };
    },
  };
}

const LINE: Array<[number, number]> = [
  [0, 1],
  [1, 2],
];
const RING: Array<[number, number]> = [...LINE, [0, 2]];

function partition(name: string, title: string, plan: PartitionPlan): Scenario {
  return { name, title, run: (transport) => partitionScenario(plan, transport) };
}

export const SCENARIOS: Scenario[] = [
  partition('line-cut12-young', 'line G1–G2–G3, cut G1–G2 for 10 s, 10 s after the mesh formed', {
    n: 3,
    edges: LINE,
    sub: 2,
    cut: [0, 1],
    ageS: 10,
    cutS: 10,
  }),
  partition('line-cut12-old', 'the same cut, 45 s after the mesh formed', {
    n: 3,
    edges: LINE,
    sub: 2,
    cut: [0, 1],
    ageS: 45,
    cutS: 10,
  }),
  partition('line-cut12-long', 'line, cut G1–G2 for 40 s (longer than the 30 s window)', {
    n: 3,
    edges: LINE,
    sub: 2,
    cut: [0, 1],
    ageS: 10,
    cutS: 40,
  }),
  partition('line-cut23', 'line G1–G2–G3, cut G2–G3 for 10 s', {
    n: 3,
    edges: LINE,
    sub: 2,
    cut: [1, 2],
    ageS: 10,
    cutS: 10,
  }),
  partition('ring-cut13', 'ring of 3, cut G1–G3 for 10 s', {
    n: 3,
    edges: RING,
    sub: 2,
    cut: [0, 2],
    ageS: 10,
    cutS: 10,
  }),
  {
    name: 'kill-pub-gateway',
    title: "SIGKILL the publisher's gateway (it dials the subscriber's), restart after 5 s",
    run: publisherGatewayKilled,
  },
  {
    name: 'kill-sub-gateway',
    title:
      "SIGKILL the subscriber's gateway (durable subscriber attached, GATEWAY_DATA_DIR), restart after 5 s",
    run: (transport) => subscriberGatewayKilled(transport),
  },
  {
    name: 'kill-sub-gateway-memory',
    title: 'the same without a data folder (durable subscriptions in memory only)',
    run: (transport) => subscriberGatewayKilled(transport, { ...KILL_SUB_GATEWAY, dataDir: false }),
  },
  {
    name: 'kill-shared-gateway',
    title:
      'SIGKILL the gateway a publisher, a live and a durable subscriber share (GATEWAY_DATA_DIR), restart after 5 s; the row is the durable one',
    async run(transport) {
      const { live, durable } = await sharedGatewayKilled(transport);
      return {
        ...durable,
        note: `${durable.note}; live subscriber: ${live.lost} lost, ${live.dup} dup, ${live.reorder} reordered, ${live.note.split('; ').pop()}`,
      };
    },
  },
  {
    name: 'kill-mid-gateway',
    title:
      'SIGKILL the gateway between publisher and subscriber (both dial it, as regions dial the hub), restart after 5 s',
    run: (transport) => intermediateGatewayKilled(transport),
  },
  {
    name: 'kill-mid-gateway-cut',
    title: "the same, with the link between it and the subscriber's gateway cut 3 s before the kill",
    run: (transport) => intermediateGatewayKilled(transport, 3),
  },
  durableCostScenario(true),
  durableCostScenario(false),
  slowScenario,
];
