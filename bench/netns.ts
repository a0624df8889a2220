/**
 * `npm run bench:netns`: the mesh under real link faults (issue 14's netns figures). Starts
 * `cortexiq up --netns` (dev stack, full mesh), streams numbered messages from the hub to antwerp
 * (one every 20 ms, published with ack) and:
 *   1. cuts hub↔antwerp N times (healing in between): time from the cut to the first message
 *      published after it arriving at antwerp ("traffic flowing again", target < 3 s), and messages
 *      lost (accepted by the hub's gateway, never delivered; target 0);
 *   2. cuts every link of antwerp for 10 s and heals: messages lost, duplicated and reordered each way.
 * Needs Linux and root (`ip netns`); elsewhere it says why and exits with code 2.
 */
import { parseArgs } from 'node:util';
import { cut } from '../launcher/netns/fault';
import { readState } from '../launcher/netns/state';
import { SequenceProbe } from '../test/helpers/sequence-probe';
import { netnsUnavailableSync, NetnsUp, topology, until } from '../test/launcher/netns-run';

const REALM = 'be.cortexiq.energy';
const HUB = 'macula-hub';
const ANTWERP = 'be-antwerp';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface CutFigures {
  /** From the link going down to the first message published after it arriving. */
  flowingMs: number[];
  /** Longest publish-to-delivery time of the messages sent around the cut. */
  worstMs: number[];
  lost: number;
  sent: number;
}

async function linkCuts(run: NetnsUp, cuts: number): Promise<CutFigures> {
  const f: CutFigures = { flowingMs: [], worstMs: [], lost: 0, sent: 0 };
  for (let i = 0; i < cuts; i++) {
    const probe = await SequenceProbe.start(REALM, { name: HUB, url: run.gateway(HUB).clientUrl }, [
      { name: ANTWERP, url: run.gateway(ANTWERP).clientUrl },
    ]);
    try {
      probe.publishEvery(20);
      await until('the stream flowing', () => probe.arrivals.get(ANTWERP)!.length >= 25, 15_000);
      // In this process (not through the CLI) so the moment the link goes down is known to a few ms.
      const cutAt = Date.now();
      await cut(readState(run.runId)!, HUB, ANTWERP);
      const downAt = Date.now();
      await until(
        'traffic after the cut',
        () => probe.flowingAgainAfter(ANTWERP, downAt) !== undefined,
        30_000,
      );
      f.flowingMs.push(probe.flowingAgainAfter(ANTWERP, downAt)!);
      await sleep(5000);
      // Messages sent just before the cut wait until their link is found dead, then are rerouted:
      // the longest delivery around the cut is the disruption as a subscriber sees it.
      f.worstMs.push(probe.maxLatency(ANTWERP, cutAt - 200, cutAt + 5000));
      await run.fault('heal', HUB, ANTWERP);
      await until(
        'the direct link back in use',
        async () =>
          (await topology(run.gateway(HUB))).find((n) => n.gateway_id === ANTWERP)?.next_hop === ANTWERP,
        30_000,
      );
      await probe.stopPublishing();
      await until('all delivered', () => probe.complete(ANTWERP), 10_000).catch(() => undefined);
      f.lost += probe.missing(ANTWERP).length;
      f.sent += probe.published();
      process.stdout.write(
        `  cut ${i + 1}/${cuts}: first message after the cut in ${f.flowingMs[i]} ms, longest delivery ` +
          `around it ${f.worstMs[i]} ms; ${probe.summary(ANTWERP)}\n`,
      );
    } finally {
      await probe.close();
    }
  }
  return f;
}

async function partition(run: NetnsUp): Promise<{ toAntwerp: SequenceProbe; toHub: SequenceProbe }> {
  const hub = run.gateway(HUB);
  const antwerp = run.gateway(ANTWERP);
  const toAntwerp = await SequenceProbe.start(REALM, { name: HUB, url: hub.clientUrl }, [
    { name: ANTWERP, url: antwerp.clientUrl },
  ]);
  const toHub = await SequenceProbe.start(REALM, { name: ANTWERP, url: antwerp.clientUrl }, [
    { name: HUB, url: hub.clientUrl },
  ]);
  toAntwerp.publishEvery(20);
  toHub.publishEvery(20);
  await sleep(1000);
  await run.fault('cut', ANTWERP, 'all'); // its three links at the same moment
  await sleep(10_000);
  await run.fault('heal', ANTWERP, 'all');
  await until(
    'antwerp reachable',
    async () => {
      return !!(await topology(hub)).find((n) => n.gateway_id === ANTWERP)?.reachable;
    },
    30_000,
  );
  await sleep(1000);
  await Promise.all([toAntwerp.stopPublishing(), toHub.stopPublishing()]);
  await until('all delivered', () => toAntwerp.complete(ANTWERP) && toHub.complete(HUB), 15_000).catch(
    () => undefined,
  );
  return { toAntwerp, toHub };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { cuts: { type: 'string', default: '5' }, 'netns-id': { type: 'string', default: '20' } },
  });
  const cuts = Number(values.cuts);
  if (!Number.isInteger(cuts) || cuts < 1 || cuts > 50)
    throw new Error(`--cuts: expected 1 to 50, got ${values.cuts}`);
  const why = netnsUnavailableSync();
  if (why) {
    process.stderr.write(`bench:netns: ${why}\n`);
    process.exitCode = 2;
    return;
  }
  const run = await NetnsUp.start(Number(values['netns-id']));
  try {
    process.stdout.write(
      `bench:netns: dev stack, full mesh, one namespace per cluster; ${cuts} cuts of hub↔antwerp\n`,
    );
    const single = await linkCuts(run, cuts);
    process.stdout.write('  partition: every link of antwerp cut for 10 s, then healed\n');
    const { toAntwerp, toHub } = await partition(run);
    const spread = (xs: number[]) => {
      const sorted = [...xs].sort((a, b) => a - b);
      return `median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted.at(-1)} ms over ${cuts} cuts`;
    };
    const lines = [
      '',
      'netns figures (target: flowing again < 3 s, 0 lost)',
      `  link cut hub↔antwerp, first message published after the cut delivered in: ${spread(single.flowingMs)}`,
      `  link cut hub↔antwerp, longest delivery of a message sent around the cut: ${spread(single.worstMs)}`,
      `  link cut hub↔antwerp, messages lost: ${single.lost} of ${single.sent}`,
      `  antwerp cut off 10 s, messages lost hub→antwerp: ${toAntwerp.missing(ANTWERP).length} of ${toAntwerp.published()}`,
      `  antwerp cut off 10 s, messages lost antwerp→hub: ${toHub.missing(HUB).length} of ${toHub.published()}`,
      `  antwerp cut off 10 s, delivered out of order hub→antwerp / antwerp→hub: ` +
        `${toAntwerp.reorders(ANTWERP)} / ${toHub.reorders(HUB)} (target 0); duplicates ` +
        `${toAntwerp.duplicates(ANTWERP).length} / ${toHub.duplicates(HUB).length}`,
      `  (hub→antwerp ${toAntwerp.summary(ANTWERP)}; antwerp→hub ${toHub.summary(HUB)})`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
    await Promise.all([toAntwerp.close(), toHub.close()]);
  } finally {
    const left = await run.stop();
    if (left.processes.length + left.namespaces.length > 0 || left.stateFile)
      process.stderr.write(`bench:netns: left behind: ${JSON.stringify(left)}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:netns: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
