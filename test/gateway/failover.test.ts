/**
 * Link failure (docs/protocol.md §3): rerouting when a gateway dies in a ring, and per-link replay when a
 * partitioned link comes back within MESH_REPLAY_S. Real gateways, both transports.
 */
import { interestPropagated, startGateway, startMesh, waitFor } from '../helpers/mesh';
import { connect } from '../../gateway/client';
import { tcpCutter, udpCutter } from '../helpers/link-cutter';
import type { Gateway } from '../../gateway';

jest.setTimeout(60_000);

describe.each(['quic', 'tls'] as const)('failover over %s', (transport) => {
  it('reroutes around a gateway killed in a ring within a few seconds', async () => {
    const mesh = await startMesh(4, 'ring', transport);
    try {
      await mesh.converged(4);
      // gw0 reaches gw2 through gw1 (ties break by id); kill gw1 and traffic must go through gw3.
      expect(mesh.gateways[0].mesh.lsdb.nextHop('gw2')).toBe('gw1');
      const sub = await mesh.client(2);
      const got: number[] = [];
      await sub.subscribe<number>('be.cortexiq.ring.test', (n) => void got.push(n));
      const pub = await mesh.client(0);
      await interestPropagated(mesh, 'be.cortexiq.ring.test', [2]);
      for (let i = 0; i < 100; i++) void pub.publish('be.cortexiq.ring.test', i);
      await waitFor(() => got.length === 100, 5000, 'before the kill');
      const killedAt = Date.now();
      await mesh.gateways[1].stop();
      let n = 100;
      // Publish until messages flow again, bounded.
      while (got.length <= 100 && Date.now() - killedAt < 10_000) {
        void pub.publish('be.cortexiq.ring.test', n++);
        await new Promise((r) => setTimeout(r, 20));
      }
      const rerouteMs = Date.now() - killedAt;
      expect(rerouteMs).toBeLessThan(5000);
      expect(mesh.gateways[0].mesh.lsdb.nextHop('gw2')).toBe('gw3');
      const from = n;
      for (let i = 0; i < 200; i++) void pub.publish('be.cortexiq.ring.test', from + i);
      await waitFor(() => got.includes(from + 199), 5000, 'after the reroute');
      const after = got.filter((x) => x >= from);
      expect(after).toEqual(Array.from({ length: 200 }, (_, i) => from + i));
      expect(new Set(got).size).toBe(got.length);
    } finally {
      await mesh.stop();
    }
  });

  it('replays, once and in order, what was sent while a link was cut (restored within the window)', async () => {
    const a = await startGateway('gw-a', transport);
    const aPort = a.listeners.get(transport)!.port;
    const cutter = transport === 'tls' ? await tcpCutter(aPort) : await udpCutter(aPort);
    const scheme = transport === 'tls' ? 'tls' : 'https';
    let b: Gateway | undefined;
    try {
      b = await startGateway('gw-b', transport, {
        meshPeers: [
          { transport, host: '127.0.0.1', port: cutter.port, url: `${scheme}://127.0.0.1:${cutter.port}` },
        ],
      });
      const sub = await connect({ url: b.urls()[transport]!, realm: 'test.realm', insecure: true });
      const pub = await connect({ url: a.urls()[transport]!, realm: 'test.realm', insecure: true });
      const got: number[] = [];
      await sub.subscribe<number>('be.cortexiq.cut.test', (n) => void got.push(n));
      await waitFor(
        () => a.mesh.lsdb.interestedIn('be.cortexiq.cut.test').includes('gw-b'),
        10_000,
        'interest',
      );
      for (let i = 0; i < 100; i++) void pub.publish('be.cortexiq.cut.test', i);
      await waitFor(() => got.length === 100, 5000, 'before the cut');
      cutter.cut();
      // While cut: some go out before the link is seen dead, the rest after.
      for (let i = 100; i < 200; i++) void pub.publish('be.cortexiq.cut.test', i);
      await waitFor(() => !a.mesh.links.get('gw-b')!.connected, 10_000, 'link seen down');
      for (let i = 200; i < 300; i++) void pub.publish('be.cortexiq.cut.test', i);
      await pub.flush();
      expect(got.length).toBe(100);
      cutter.restore();
      await waitFor(() => got.length >= 300, 15_000, 'replay after restore');
      await new Promise((r) => setTimeout(r, 300));
      expect(got).toEqual(Array.from({ length: 300 }, (_, i) => i));
      expect(a.stats.meshReplayed).toBeGreaterThan(0);
      await sub.close();
      await pub.close();
    } finally {
      await b?.stop();
      await a.stop();
      await cutter.close();
    }
  });
});
