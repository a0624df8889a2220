/**
 * The mesh under real network faults (issue 14): `cortexiq up --netns` puts each cluster in its own
 * network namespace, `cortexiq fault` cuts, heals and delays the veth links between them, and a
 * numbered stream between gateways (test/helpers/sequence-probe.ts) shows what reaches the other
 * side. Skipped, with the reason printed, where `ip netns` is not allowed (not Linux, not root, a
 * container that refuses it).
 */
import { connect, type GatewayClient } from '../../gateway/client';
import { SequenceProbe } from '../helpers/sequence-probe';
import {
  ADMIN_TOKEN,
  meshCounters,
  netnsUnavailableSync,
  unroutableTotal,
  NetnsUp,
  peers,
  topology,
  until,
} from './netns-run';

const REALM = 'be.cortexiq.energy';
const HUB = 'macula-hub';
const EDGES = ['be-antwerp', 'be-brabant', 'be-east-flanders'];

const unavailable = netnsUnavailableSync();
if (unavailable) process.stdout.write(`netns tests skipped: ${unavailable}\n`);
const netnsDescribe = unavailable ? describe.skip : describe;

const linkState = async (run: NetnsUp, from: string, to: string) =>
  (await peers(run.gateway(from))).find((p) => p.gateway_id === to)?.state;

netnsDescribe('cortexiq up --netns, full mesh', () => {
  let run: NetnsUp;
  let probe: SequenceProbe | undefined;

  beforeAll(async () => {
    run = await NetnsUp.start(11);
  }, 150_000);

  afterEach(async () => {
    await probe?.close();
    probe = undefined;
  });

  afterAll(() => run?.kill());

  it('runs each cluster in its own namespace, gateways peering over their own addresses', async () => {
    const hub = await peers(run.gateway(HUB));
    expect(
      hub
        .filter((p) => p.state === 'up')
        .map((p) => p.gateway_id)
        .sort(),
    ).toEqual([...EDGES].sort());
    // Each peer is reached at its cluster's own mesh address (10.77.0.x) or from it, never loopback.
    const addresses = run.state.layout.clusters.map((c) => c.meshAddress);
    expect(addresses).toEqual(['10.77.0.1', '10.77.0.2', '10.77.0.3', '10.77.0.4']);
    const view = (await (
      await fetch(`${run.gateway(HUB).adminUrl}/api/peers`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      })
    ).json()) as {
      peers: { remote_address: string | null }[];
    };
    for (const p of view.peers) expect(p.remote_address).toMatch(/^10\.7[78]\./);
  });

  it('cutting hub↔antwerp reroutes through another gateway with nothing lost', async () => {
    const hub = run.gateway(HUB);
    probe = await SequenceProbe.start(REALM, { name: HUB, url: hub.clientUrl }, [
      { name: 'be-antwerp', url: run.gateway('be-antwerp').clientUrl },
    ]);
    probe.publishEvery(20);
    await until('the stream to reach antwerp', () => probe!.arrivals.get('be-antwerp')!.length >= 20, 15_000);

    const cutAt = Date.now();
    expect(await run.fault('cut', HUB, 'be-antwerp')).toMatch(
      /^cut macula-hub↔be-antwerp: link down on cq-to-1 in cq-11-macula-hub and cq-to-0 in cq-11-be-antwerp/,
    );
    await until(
      'the hub to route to antwerp through another gateway',
      async () => {
        const node = (await topology(hub)).find((n) => n.gateway_id === 'be-antwerp');
        return !!node?.reachable && node.next_hop !== null && node.next_hop !== 'be-antwerp';
      },
      15_000,
    );
    expect(await linkState(run, HUB, 'be-antwerp')).toBe('down');
    // The dashboard's mesh page (its /api/mesh) shows the link down at the hub.
    await until(
      'the dashboard to show hub↔antwerp down',
      async () => (await dashboardLink()) === false,
      10_000,
    );
    await until(
      'traffic published after the cut to arrive',
      () => probe!.flowingAgainAfter('be-antwerp', cutAt) !== undefined,
      15_000,
    );

    const more = probe.published() + 25;
    await until('more messages over the new route', () => probe!.published() >= more, 10_000);
    await probe.stopPublishing();
    await until('every message at antwerp', () => probe!.complete('be-antwerp'), 15_000);
    expect(probe.missing('be-antwerp')).toEqual([]);
    expect(probe.duplicates('be-antwerp')).toEqual([]);
    // The CLI's own start-up is part of this window, so it is an upper bound (bench:netns times the
    // cut itself).
    process.stdout.write(
      `netns cut hub↔antwerp: longest delivery of a message sent after 'fault cut' began ` +
        `${probe.maxLatency('be-antwerp', cutAt)} ms; ${probe.summary('be-antwerp')}\n`,
    );

    expect(await run.fault('heal', HUB, 'be-antwerp')).toMatch(/^healed macula-hub↔be-antwerp: link up/);
    await until(
      'the link back up at both ends',
      async () =>
        (await linkState(run, HUB, 'be-antwerp')) === 'up' &&
        (await linkState(run, 'be-antwerp', HUB)) === 'up',
      20_000,
    );
    await until(
      'the dashboard to show hub↔antwerp up again',
      async () => (await dashboardLink()) === true,
      10_000,
    );
  }, 90_000);

  /** Whether the dashboard's mesh view has the hub's link to antwerp up (undefined: not listed). */
  async function dashboardLink(): Promise<boolean | undefined> {
    const url = /^Dashboard: (\S+)/m.exec(run.up.output())![1]!;
    const res = await fetch(new URL('/api/mesh', url), { signal: AbortSignal.timeout(3000) });
    const mesh = (await res.json()) as { gateways: { id: string; links: { peer: string; up: boolean }[] }[] };
    return mesh.gateways.find((g) => g.id === HUB)?.links.find((l) => l.peer === 'be-antwerp')?.up;
  }

  describe('antwerp cut off entirely for 10 s, then healed', () => {
    // One partition, then what each direction got: antwerp→hub is asserted complete; hub→antwerp
    // loses messages in some runs, a known gap of the gateway (below), so only what the gateway's
    // contract still promises there is asserted: never twice, and no loss that it did not count.
    let toAntwerp: SequenceProbe;
    let toHub: SequenceProbe;
    let counters = '';
    let unroutable = 0;

    beforeAll(async () => {
      const hub = run.gateway(HUB);
      const antwerp = run.gateway('be-antwerp');
      toAntwerp = await SequenceProbe.start(REALM, { name: HUB, url: hub.clientUrl }, [
        { name: 'be-antwerp', url: antwerp.clientUrl },
      ]);
      toHub = await SequenceProbe.start(REALM, { name: 'be-antwerp', url: antwerp.clientUrl }, [
        { name: HUB, url: hub.clientUrl },
      ]);
      toAntwerp.publishEvery(50);
      toHub.publishEvery(50);
      await until(
        'both streams flowing',
        () => toAntwerp.arrivals.get('be-antwerp')!.length >= 10 && toHub.arrivals.get(HUB)!.length >= 10,
        15_000,
      );
      const unroutableBefore = await unroutableTotal(run);
      const cut = await run.fault('cut', 'be-antwerp', 'all'); // its three links at the same moment
      expect(cut.trim().split('\n')).toHaveLength(3);
      await until(
        'antwerp cut off at the hub',
        async () => !(await topology(hub)).find((n) => n.gateway_id === 'be-antwerp')?.reachable,
        15_000,
      );
      await new Promise((r) => setTimeout(r, 10_000)); // the partition itself: 10 s, as the issue sets it
      await run.fault('heal', 'be-antwerp', 'all');
      await until(
        'antwerp reachable again',
        async () => !!(await topology(hub)).find((n) => n.gateway_id === 'be-antwerp')?.reachable,
        20_000,
      );
      await Promise.all([toAntwerp.stopPublishing(), toHub.stopPublishing()]);
      // Replays arrive within a few seconds of the heal; what has not arrived by then is counted lost.
      await until(
        'everything delivered both ways',
        () => toAntwerp.complete('be-antwerp') && toHub.complete(HUB),
        15_000,
      ).catch(() => undefined);
      counters = await meshCounters(run);
      unroutable = (await unroutableTotal(run)) - unroutableBefore;
    }, 120_000);

    afterAll(async () => {
      await Promise.all([toAntwerp?.close(), toHub?.close()]);
    });

    it('antwerp → hub: everything published during the partition is delivered once after the heal', () => {
      expect(toHub.published()).toBeGreaterThan(200); // 50 ms apart, over more than 10 s
      expect(toHub.missing(HUB)).toEqual([]);
      expect(toHub.duplicates(HUB)).toEqual([]);
      process.stdout.write(`netns antwerp cut off 10 s: ${toHub.summary(HUB)}\n`);
    });

    // The three links go down together, but each end finds its link dead on its own 3 s timer; when
    // the hub finds its link first it reroutes through an edge whose link to antwerp is dead but not
    // found so yet, and once that edge loses antwerp too the hub's last hop toward it is a live link.
    // Those messages used to count as unroutable and be dropped; they are now held toward antwerp
    // (docs/loss.md "Holding"), so `unroutable` should stay 0 here. The bound below is the older,
    // weaker one until this run is measured again in network namespaces.
    it('hub → antwerp: nothing delivered twice, and nothing lost that the gateways did not count as unroutable', () => {
      process.stdout.write(`netns antwerp cut off 10 s: ${toAntwerp.summary('be-antwerp')}\n${counters}\n`);
      expect(toAntwerp.duplicates('be-antwerp')).toEqual([]);
      expect(toAntwerp.missing('be-antwerp').length).toBeLessThanOrEqual(unroutable);
    });
  });

  it('50 ms added on every link keeps the system working, messages within 1 s', async () => {
    const said = await run.fault('delay', 'all', '--ms', '50');
    expect(said.trim().split('\n')).toHaveLength(6);
    expect(said).toMatch(
      /delay macula-hub↔be-antwerp: 50 ms each way, 0 % loss, by (tc netem|relay processes)/,
    );
    const hub = run.gateway(HUB);
    await until(
      'every link of the hub to show the delay',
      async () => {
        const list = await peers(hub);
        return list.length === 3 && list.every((p) => p.state === 'up' && (p.rtt_ms ?? 0) >= 100);
      },
      30_000,
    );
    const from = Date.now();
    probe = await SequenceProbe.start(
      REALM,
      { name: HUB, url: hub.clientUrl },
      EDGES.map((e) => ({ name: e, url: run.gateway(e).clientUrl })),
    );
    probe.publishEvery(50);
    // The apps' own traffic still crosses the mesh: measurements of every region reach the hub.
    const client: GatewayClient = await connect({ url: hub.clientUrl, realm: REALM, insecure: true });
    const regions = new Set<string>();
    await client.subscribe('be.cortexiq.home.measured', (_p, meta) => void regions.add(meta.gatewayId));
    try {
      await until('measurements of all three regions at the hub', () => regions.size === 3, 20_000);
      await until(
        '40 messages at every edge',
        () => EDGES.every((e) => probe!.arrivals.get(e)!.length >= 40),
        20_000,
      );
      await probe.stopPublishing();
      await until(
        'every message at every edge',
        () => EDGES.every((e) => probe!.complete(e)),
        10_000,
        () => EDGES.map((e) => probe!.summary(e)).join('; '),
      );
      for (const e of EDGES) expect(probe.maxLatency(e, from)).toBeLessThan(1000);
      const worst = Math.max(...EDGES.map((e) => probe!.maxLatency(e, from)));
      process.stdout.write(`netns 50 ms on every link: worst hub→edge latency ${worst} ms\n`);
    } finally {
      await client.close();
    }
    expect(await run.fault('heal', 'all')).toMatch(/delay removed/);
  }, 120_000);

  it('Ctrl-C stops every process and removes namespaces, host links, relays and the state file', async () => {
    await run.fault('delay', HUB, 'be-brabant', '--ms', '5'); // a relay (or netem) to clean up too
    const left = await run.stop();
    expect(left).toEqual({
      exit: { code: 0, signal: null },
      processes: [],
      namespaces: [],
      stateFile: false,
    });
    expect(run.up.output()).toMatch(/^netns: removed 4 namespaces/m);
  }, 60_000);
});

netnsDescribe('cortexiq up --netns, ring layout', () => {
  let run: NetnsUp;

  beforeAll(async () => {
    run = await NetnsUp.start(12, ['--layout', 'ring']);
  }, 150_000);

  afterAll(() => run?.kill());

  it('names a pair without a link, and a cluster that does not exist', async () => {
    await expect(run.fault('cut', HUB, 'be-brabant')).rejects.toThrow(
      /no mesh link between macula-hub and be-brabant in this run's layout; links: macula-hub–be-antwerp/,
    );
    await expect(run.fault('cut', HUB, 'be-limburg')).rejects.toThrow(/no cluster 'be-limburg' in this run/);
  });

  it('with one gateway frozen, the others keep talking around the ring', async () => {
    // The launcher ends the whole run when a gateway exits (a dead gateway is a failed run), so the
    // gateway is frozen with SIGSTOP: to its peers it is gone, exactly as if killed.
    const brabant = run.pids.get('be-brabant/gateway')!;
    const probe = await SequenceProbe.start(
      REALM,
      { name: 'be-antwerp', url: run.gateway('be-antwerp').clientUrl },
      [{ name: 'be-east-flanders', url: run.gateway('be-east-flanders').clientUrl }],
    );
    process.kill(brabant, 'SIGSTOP');
    try {
      const stoppedAt = Date.now();
      probe.publishEvery(50);
      await until(
        'the hub to drop its link to the frozen gateway',
        async () =>
          (await topology(run.gateway(HUB))).every((n) => n.gateway_id !== 'be-brabant' || !n.reachable),
        20_000,
      );
      await until(
        'antwerp → east-flanders flowing around the other side',
        () => probe.flowingAgainAfter('be-east-flanders', stoppedAt + 4000) !== undefined,
        20_000,
        () => probe.summary('be-east-flanders'),
      );
      await probe.stopPublishing();
      await until('every message at east-flanders', () => probe.complete('be-east-flanders'), 15_000);
      expect(probe.duplicates('be-east-flanders')).toEqual([]);
    } finally {
      process.kill(brabant, 'SIGCONT');
      await probe.close();
    }
    const left = await run.stop();
    expect(left).toEqual({
      exit: { code: 0, signal: null },
      processes: [],
      namespaces: [],
      stateFile: false,
    });
  }, 120_000);
});
