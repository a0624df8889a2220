/**
 * A gateway between publisher and subscriber SIGKILLed under a numbered stream (docs/loss.md, "An
 * intermediate gateway's crash"): k1 (publisher) and k3 (subscriber) each dial k2, as regions dial
 * the hub; k2 is killed and restarted on the same ports. What k2 had acknowledged to k1 but not yet
 * had acknowledged by k3 was only in its memory (its link's replay buffer), so it is lost; k3 finds
 * the gap in k1's numbering and gives it up after MESH_ORDER_WAIT_S, counted as an order gap. With
 * `cutS`, k3's link to k2 is cut (a relay blackholes it) that long before the kill: what k2 then
 * keeps for k3 in its link's replay buffer dies with it. For `npm run bench:faults` only: it
 * measures a loss the mesh does not prevent yet.
 */
import { tcpCutter, udpCutter } from '../../test/helpers/link-cutter';
import { SequenceProbe } from '../../test/helpers/sequence-probe';
import { rssMb, stopServer } from '../gateway/processes';
import { sleep } from '../gateway/wait';
import { REALM, hasLinks, killAndRestart, metric, spawnGateway } from './gateway-process';
import { p99, runOut } from './partitions';
import type { ScenarioRow } from './scenarios';

export async function intermediateGatewayKilled(transport: 'quic' | 'tls', cutS = 0): Promise<ScenarioRow> {
  let mid = await spawnGateway('k2');
  const pub = await spawnGateway('k1', { MESH_PEERS: mid.url(transport) });
  const cutter = await (transport === 'quic' ? udpCutter : tcpCutter)(mid.port);
  const sub = await spawnGateway('k3', {
    MESH_PEERS: `${transport === 'quic' ? 'https' : 'tls'}://127.0.0.1:${cutter.port}`,
  });
  let probe: SequenceProbe | undefined;
  try {
    await hasLinks(mid, 2);
    probe = await SequenceProbe.start(REALM, { url: pub.url(transport), name: 'k1' }, [
      { url: sub.url(transport), name: 'k3' },
    ]);
    // Without `ack`: the client keeps each publication until acknowledged (by k2, for what it forwards).
    probe.publishEvery(1, 1_000_000, false);
    await sleep(10_000);
    if (cutS > 0) {
      cutter.cut();
      await sleep(cutS * 1000);
    }
    let rssPeak = rssMb(mid.proc.pid, 'VmHWM');
    mid = (await killAndRestart(mid, {}, 5000)).gw;
    cutter.restore();
    const restartedAt = Date.now();
    await runOut(probe, 'k3', restartedAt, 5);
    const flowing = probe.flowingAgainAfter('k3', restartedAt);
    // Past MESH_ORDER_WAIT_S (10 s), so k3 has given up the gap and counted it.
    await sleep(11_000);
    rssPeak = Math.max(rssPeak, rssMb(mid.proc.pid, 'VmHWM'));
    const gaps = await metric(sub, 'macula_mesh_order_gaps_total');
    const givenUpAtMid = await metric(mid, 'macula_mesh_lost_total');
    const arrivals = probe.arrivals.get('k3')!;
    return {
      published: probe.published(),
      lost: probe.missing('k3').length,
      reported: gaps + givenUpAtMid,
      dup: probe.duplicates('k3').length,
      reorder: probe.reorders('k3'),
      p99Ms: p99(arrivals.map((a) => a.at - a.sentAt)),
      rssPeakMb: Math.round(rssPeak),
      note:
        `flowing again ${flowing ?? 'never'} ms after the restart; k3 gave up ${gaps} as order gaps, ` +
        `the restarted k2 counted ${givenUpAtMid} given up`,
    };
  } finally {
    await probe?.close();
    await Promise.all([pub, mid, sub].map((g) => stopServer(g.proc)));
    await cutter.close();
  }
}
