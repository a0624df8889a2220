/**
 * A gateway SIGKILLed under a numbered stream and restarted on the same ports after 5 s, for
 * `npm run bench:faults`: here the publisher's gateway (it dials the subscriber's), the case of the
 * start hold (docs/loss.md "Restarts"). The publisher's client notices the dead gateway (its
 * liveness check, over QUIC), reconnects by itself and sends again what its gateway had not
 * acknowledged (docs/protocol.md §2, PUBACK); a message counts as published once publish()
 * resolved, as an app that does not ask for `ack` sees it.
 */
import { SequenceProbe } from '../../test/helpers/sequence-probe';
import { rssMb, stopServer } from '../gateway/processes';
import { getJson, pollUntil, sleep } from '../gateway/wait';
import { metric, REALM, spawnGateway, type GatewayProcess } from './gateway-process';
import { p99, settle } from './partitions';
import type { ScenarioRow } from './scenarios';

async function linked(g: GatewayProcess): Promise<void> {
  await pollUntil(
    `${g.id} linked`,
    async () =>
      ((await getJson(`http://127.0.0.1:${g.adminPort}/api/topology`)) as { links: unknown[] }).links
        .length === 1,
    60_000,
  );
}

export async function publisherGatewayKilled(transport: 'quic' | 'tls'): Promise<ScenarioRow> {
  const sub = await spawnGateway('k1');
  const env = { MESH_PEERS: sub.url(transport) };
  let pub: GatewayProcess | undefined = await spawnGateway('k2', env);
  let probe: SequenceProbe | undefined;
  let rssPeak = 0;
  try {
    await linked(sub);
    probe = await SequenceProbe.start(REALM, { url: pub.url(transport), name: 'k2' }, [
      { url: sub.url(transport), name: 'k1' },
    ]);
    // Without `ack`: the client keeps each publication until acknowledged, and sends again after.
    probe.publishEvery(1, 1_000_000, false);
    await sleep(10_000);
    rssPeak = rssMb(pub.proc.pid, 'VmHWM');
    const exited = new Promise((r) => pub!.proc.child.once('exit', r));
    const killedAt = Date.now();
    pub.proc.child.kill('SIGKILL');
    await exited;
    const ports = { port: pub.port, adminPort: pub.adminPort };
    pub = undefined;
    await sleep(5000);
    pub = await spawnGateway('k2', env, ports);
    const restartedAt = Date.now();
    const killedAfter = restartedAt - killedAt;
    for (let i = 0; i < 600 && probe.flowingAgainAfter('k1', restartedAt) === undefined; i++)
      await sleep(100);
    await sleep(5000);
    await probe.stopPublishing();
    await settle(probe, 'k1');
    rssPeak = Math.max(rssPeak, rssMb(pub.proc.pid, 'VmHWM'), rssMb(sub.proc.pid, 'VmHWM'));
    const arrivals = probe.arrivals.get('k1')!;
    return {
      published: probe.published(),
      lost: probe.missing('k1').length,
      reported: NaN,
      dup: probe.duplicates('k1').length,
      reorder: probe.reorders('k1'),
      p99Ms: p99(arrivals.map((a) => a.at - a.sentAt)),
      rssPeakMb: Math.round(rssPeak),
      note: `down ${killedAfter} ms; flowing again ${probe.flowingAgainAfter('k1', restartedAt) ?? 'never'} ms after the restart; ${await metric(sub, 'macula_publication_duplicates_total')} republished copies dropped at the subscriber's gateway`,
    };
  } finally {
    await probe?.close();
    await Promise.all([pub, sub].filter((g) => g !== undefined).map((g) => stopServer(g.proc)));
  }
}
