/**
 * Partition scenarios for `npm run bench:faults`: a numbered stream (test/helpers/sequence-probe.ts,
 * about 1,000 msg/s, each publication acknowledged by the publisher's gateway) from the first
 * gateway to a subscriber on another, one link cut for a while and healed, then lost, duplicated,
 * reordered and p99 latency at the subscriber, and what the gateways reported given up.
 */
import { SequenceProbe } from '../../test/helpers/sequence-probe';
import { sleep } from '../gateway/wait';
import { startCutMesh } from './cut-mesh';
import { REALM } from './gateway-process';
import type { ScenarioRow } from './scenarios';

export interface PartitionPlan {
  n: number;
  edges: Array<[number, number]>;
  /** Subscriber's gateway (index). */
  sub: number;
  /** The edge to cut. */
  cut: [number, number];
  /** Seconds the mesh is left alone (stream flowing) before the cut. */
  ageS: number;
  cutS: number;
  env?: Record<string, string>;
}

export function p99(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))];
}

/** Publishing stopped: until `name` has everything or nothing changed for 3 s (at most 60 s). */
export async function settle(probe: SequenceProbe, name: string): Promise<void> {
  let last = -1;
  for (let stable = 0, i = 0; stable < 30 && i < 600; i++) {
    const missing = probe.missing(name).length;
    stable = missing === last ? stable + 1 : 0;
    last = missing;
    if (missing === 0) return;
    await sleep(100);
  }
}

/**
 * After a heal or restart at `since`: waits for the stream to reach `name` again (bounded), lets it
 * run `afterS` more seconds, stops publishing and settles.
 */
export async function runOut(
  probe: SequenceProbe,
  name: string,
  since: number,
  afterS: number,
): Promise<void> {
  for (let i = 0; i < 600 && probe.flowingAgainAfter(name, since) === undefined; i++) await sleep(100);
  await sleep(afterS * 1000);
  await probe.stopPublishing();
  await settle(probe, name);
}

export async function partitionScenario(
  plan: PartitionPlan,
  transport: 'quic' | 'tls',
): Promise<ScenarioRow> {
  const mesh = await startCutMesh(plan.n, plan.edges, transport, plan.env);
  let probe: SequenceProbe | undefined;
  try {
    await mesh.converged(plan.edges.length);
    const url = (i: number): string => mesh.gateways[i].url(transport);
    const name = mesh.gateways[plan.sub].id;
    probe = await SequenceProbe.start(REALM, { url: url(0), name: mesh.gateways[0].id }, [
      { url: url(plan.sub), name },
    ]);
    probe.publishEvery(1, 1_000_000);
    await sleep(plan.ageS * 1000);
    const cutter = mesh.cutter(...plan.cut);
    cutter.cut();
    await sleep(plan.cutS * 1000);
    cutter.restore();
    const healedAt = Date.now();
    await runOut(probe, name, healedAt, 5);
    const arrivals = probe.arrivals.get(name)!;
    const reasons = await mesh.lossReasons(plan.sub);
    return {
      published: probe.published(),
      lost: probe.missing(name).length,
      reported: await mesh.reportedLost(plan.sub),
      dup: probe.duplicates(name).length,
      reorder: probe.reorders(name),
      p99Ms: p99(arrivals.map((a) => a.at - a.sentAt)),
      rssPeakMb: Math.round(mesh.rssPeakMb()),
      note:
        `flowing again ${probe.flowingAgainAfter(name, healedAt) ?? 'never'} ms after the heal` +
        (reasons ? `; given up: ${reasons}` : ''),
    };
  } finally {
    await probe?.close();
    await mesh.stop();
  }
}
