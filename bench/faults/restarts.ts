/**
 * A gateway SIGKILLed under a numbered stream and restarted on the same ports after 5 s, for
 * `npm run bench:faults` and the tests: the publisher's gateway (it dials the subscriber's), the
 * case of the start hold (docs/loss.md "Restarts"), and the subscriber's gateway with a durable
 * subscriber attached, restarted with the same data folder (docs/loss.md "Durable subscriptions
 * across a crash"). The clients reconnect by themselves; the publisher's client notices its dead
 * gateway (its liveness check, over QUIC) and sends again what the gateway had not acknowledged
 * (docs/protocol.md §2, PUBACK).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SequenceProbe } from '../../test/helpers/sequence-probe';
import { rssMb, stopServer } from '../gateway/processes';
import { sleep } from '../gateway/wait';
import {
  REALM,
  hasLinks,
  killAndRestart,
  metric,
  spawnGateway,
  type GatewayProcess,
} from './gateway-process';
import { p99, runOut } from './partitions';
import type { ScenarioRow } from './scenarios';

/** The row for what reached k1; the note starts with `note`. */
function rowAtK1(probe: SequenceProbe, restartedAt: number, rssPeak: number, note: string): ScenarioRow {
  const arrivals = probe.arrivals.get('k1')!;
  return {
    published: probe.published(),
    lost: probe.missing('k1').length,
    reported: NaN,
    dup: probe.duplicates('k1').length,
    reorder: probe.reorders('k1'),
    p99Ms: p99(arrivals.map((a) => a.at - a.sentAt)),
    rssPeakMb: Math.round(rssPeak),
    note: `${note}flowing again ${probe.flowingAgainAfter('k1', restartedAt) ?? 'never'} ms after the restart`,
  };
}

export async function publisherGatewayKilled(transport: 'quic' | 'tls'): Promise<ScenarioRow> {
  const sub = await spawnGateway('k1');
  const env = { MESH_PEERS: sub.url(transport) };
  let pub: GatewayProcess | undefined = await spawnGateway('k2', env);
  let probe: SequenceProbe | undefined;
  let rssPeak = 0;
  try {
    await hasLinks(sub, 1);
    probe = await SequenceProbe.start(REALM, { url: pub.url(transport), name: 'k2' }, [
      { url: sub.url(transport), name: 'k1' },
    ]);
    // Without `ack`: the client keeps each publication until acknowledged, and sends again after.
    probe.publishEvery(1, 1_000_000, false);
    await sleep(10_000);
    rssPeak = rssMb(pub.proc.pid, 'VmHWM');
    const restart = await killAndRestart(pub, env, 5000);
    pub = restart.gw;
    const killedAt = restart.killedAt;
    const restartedAt = Date.now();
    const downMs = restartedAt - killedAt;
    await runOut(probe, 'k1', restartedAt, 5);
    rssPeak = Math.max(rssPeak, rssMb(pub.proc.pid, 'VmHWM'), rssMb(sub.proc.pid, 'VmHWM'));
    const copies = await metric(sub, 'macula_publication_duplicates_total');
    return rowAtK1(
      probe,
      restartedAt,
      rssPeak,
      `down ${downMs} ms; ${copies} republished copies dropped at the subscriber's gateway; `,
    );
  } finally {
    await probe?.close();
    await Promise.all([pub, sub].filter((g) => g !== undefined).map((g) => stopServer(g.proc)));
  }
}

export interface KillPlan {
  /** Published before the kill, and after the restart, in seconds. */
  beforeS: number;
  afterS: number;
  downS: number;
  /** Without it the gateway keeps durable subscriptions in memory only (the old behaviour). */
  dataDir: boolean;
  /** The durable subscriber's window (1 when absent: one handler at a time). */
  maxInFlight?: number;
}

export const KILL_SUB_GATEWAY: KillPlan = { beforeS: 10, afterS: 5, downS: 5, dataDir: true };

/**
 * The subscriber's gateway k1 (dial-only; k2 dials it) is SIGKILLed while a durable subscriber is
 * attached to it and a numbered stream flows from k2 at 1,000 msg/s (acknowledged publishes), then
 * restarted on the same ports (and data folder) after `downS`.
 */
export async function subscriberGatewayKilled(
  transport: 'quic' | 'tls',
  plan: KillPlan = KILL_SUB_GATEWAY,
): Promise<ScenarioRow> {
  const dir = mkdtempSync(join(tmpdir(), 'cortexiq-durable-'));
  const env: Record<string, string> = plan.dataDir ? { GATEWAY_DATA_DIR: dir } : {};
  let sub: GatewayProcess | undefined = await spawnGateway('k1', env);
  const pub = await spawnGateway('k2', { MESH_PEERS: sub.url(transport) });
  let probe: SequenceProbe | undefined;
  let rssPeak = 0;
  try {
    await hasLinks(sub, 1);
    probe = await SequenceProbe.start(
      REALM,
      { url: pub.url(transport), name: 'k2' },
      [{ url: sub.url(transport), name: 'k1' }],
      undefined,
      { durable: true, maxInFlight: plan.maxInFlight },
    );
    probe.publishEvery(1, 1_000_000);
    await sleep(plan.beforeS * 1000);
    rssPeak = rssMb(sub.proc.pid, 'VmHWM');
    sub = (await killAndRestart(sub, env, plan.downS * 1000)).gw;
    const restartedAt = Date.now();
    await runOut(probe, 'k1', restartedAt, plan.afterS);
    rssPeak = Math.max(rssPeak, rssMb(sub.proc.pid, 'VmHWM'));
    if (!plan.dataDir) return rowAtK1(probe, restartedAt, rssPeak, 'in memory only; ');
    const cut = await metric(sub, 'macula_durable_log_cut_bytes_total');
    return rowAtK1(probe, restartedAt, rssPeak, `GATEWAY_DATA_DIR, torn tail cut ${cut} bytes; `);
  } finally {
    await probe?.close();
    await Promise.all([pub, sub].filter((g) => g !== undefined).map((g) => stopServer(g.proc)));
    rmSync(dir, { recursive: true, force: true });
  }
}
