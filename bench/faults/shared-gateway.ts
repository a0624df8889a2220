/**
 * The publisher's gateway is also its subscribers' (docs/loss.md "Publishers whose gateway dies"):
 * one gateway process k1 with a publisher, a live subscriber and a durable one attached, SIGKILLed
 * under a numbered stream and restarted on the same ports and data folder. The publisher's client
 * sends again what k1 had not acknowledged, and some of it had reached the subscribers before the
 * kill; the restarted k1 remembers none of that, so the subscribers' clients drop those copies by
 * their (pubStream, pubSeq) (docs/protocol.md §2, republish). For `npm run bench:faults` and
 * test/gateway/restart-shared-gateway.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SequenceProbe } from '../../test/helpers/sequence-probe';
import { rssMb, stopServer } from '../gateway/processes';
import { sleep } from '../gateway/wait';
import { REALM, killAndRestart, metric, spawnGateway } from './gateway-process';
import { p99, settle } from './partitions';
import type { ScenarioRow } from './scenarios';

export interface SharedGatewayPlan {
  /** Published before the kill, and after the stream flows again, in seconds. */
  beforeS: number;
  afterS: number;
  downS: number;
}

export interface SharedGatewayResult {
  /** What the live subscriber got: each message at most once, in order (what k1 held is lost). */
  live: ScenarioRow;
  /** What the durable subscriber got: each message exactly once, in order. */
  durable: ScenarioRow;
  /** Ms from the restart to the first message published after it at the live subscriber, if any. */
  liveFlowingMs: number | undefined;
}

function rowFor(probe: SequenceProbe, name: string, rssPeak: number, note: string): ScenarioRow {
  const arrivals = probe.arrivals.get(name)!;
  const dropped = probe.subscriptions.get(name)!.duplicates;
  return {
    published: probe.published(),
    lost: probe.missing(name).length,
    reported: NaN,
    dup: probe.duplicates(name).length,
    reorder: probe.reorders(name),
    p99Ms: p99(arrivals.map((a) => a.at - a.sentAt)),
    rssPeakMb: Math.round(rssPeak),
    note: `${note}; its client dropped ${dropped} republished copies`,
  };
}

export async function sharedGatewayKilled(
  transport: 'quic' | 'tls',
  plan: SharedGatewayPlan = { beforeS: 10, afterS: 5, downS: 5 },
): Promise<SharedGatewayResult> {
  const dir = mkdtempSync(join(tmpdir(), 'cortexiq-shared-'));
  const env = { GATEWAY_DATA_DIR: dir };
  let gw = await spawnGateway('k1', env);
  let probe: SequenceProbe | undefined;
  let rssPeak = 0;
  try {
    const at = gw.url(transport);
    probe = await SequenceProbe.start(REALM, { url: at, name: 'k1' }, [
      { url: at, name: 'live', durable: false },
      { url: at, name: 'durable', durable: true },
    ]);
    // Without `ack`: the client keeps each publication until acknowledged, and sends again after.
    probe.publishEvery(1, 1_000_000, false);
    await sleep(plan.beforeS * 1000);
    rssPeak = rssMb(gw.proc.pid, 'VmHWM');
    gw = (await killAndRestart(gw, env, plan.downS * 1000)).gw;
    const restartedAt = Date.now();
    // Both subscribers back before the run goes on: each client redials on its own backoff (up to
    // 3 s apart), and the live one judged 2 s after the durable one was back could still be waiting.
    const back = (name: string) => probe!.flowingAgainAfter(name, restartedAt) !== undefined;
    for (let i = 0; i < 600 && !(back('durable') && back('live')); i++) await sleep(100);
    const flowing = probe.flowingAgainAfter('durable', restartedAt);
    await sleep(plan.afterS * 1000);
    await probe.stopPublishing();
    await settle(probe, 'durable');
    rssPeak = Math.max(rssPeak, rssMb(gw.proc.pid, 'VmHWM'));
    const copies = await metric(gw, 'macula_publication_duplicates_total');
    const note = `flowing again ${flowing ?? 'never'} ms after the restart; the restarted gateway dropped ${copies} copies`;
    return {
      liveFlowingMs: probe.flowingAgainAfter('live', restartedAt),
      live: rowFor(probe, 'live', rssPeak, `live subscriber; ${note}`),
      durable: rowFor(probe, 'durable', rssPeak, `durable subscriber; ${note}`),
    };
  } finally {
    await probe?.close();
    await stopServer(gw.proc);
    rmSync(dir, { recursive: true, force: true });
  }
}
