/**
 * Cross-gateway pub/sub on real gateways, both transports, three layouts: a publication at any
 * gateway reaches every matching subscriber at every gateway exactly once, in order.
 */
import type { GatewayClient } from '../../gateway/client';
import { interestPropagated, startMesh, waitFor, type Layout, type TestMesh } from '../helpers/mesh';

const TRANSPORTS = ['quic', 'tls'] as const;
const LAYOUTS: Array<[Layout, number]> = [
  ['full', 6],
  ['ring', 4],
  ['hub', 3],
];

describe.each(TRANSPORTS)('pub/sub across 4 gateways over %s', (transport) => {
  describe.each(LAYOUTS)('%s layout', (layout, links) => {
    let mesh: TestMesh;
    beforeAll(async () => {
      mesh = await startMesh(4, layout, transport);
      await mesh.converged(links);
    });
    afterAll(() => mesh?.stop());

    it(`has ${links} links and every gateway sees the whole graph`, () => {
      for (const g of mesh.gateways) expect(g.mesh.lsdb.links()).toHaveLength(links);
    });

    it('delivers every publication to every matching subscriber exactly once, in order', async () => {
      const subscribers: GatewayClient[] = [];
      const received: Array<Array<{ from: number; seq: number }>> = [];
      for (let i = 0; i < 4; i++) {
        const c = await mesh.client(i, `sub${i}`);
        const got: Array<{ from: number; seq: number }> = [];
        received.push(got);
        await c.subscribe<{ from: number; seq: number }>('be.cortexiq.home.*', (p) => {
          got.push(p);
        });
        subscribers.push(c);
      }
      // A subscriber to another topic must receive nothing.
      const other = await mesh.client(1);
      const otherGot: unknown[] = [];
      await other.subscribe('be.cortexiq.market.>', (p) => {
        otherGot.push(p);
      });
      await interestPropagated(mesh, 'be.cortexiq.home.measured', [0, 1, 2, 3]);
      const N = 200;
      const publishers = await Promise.all([0, 1, 2, 3].map((i) => mesh.client(i, `pub${i}`)));
      for (let seq = 0; seq < N; seq++)
        for (let from = 0; from < 4; from++)
          void publishers[from].publish('be.cortexiq.home.measured', { from, seq });
      await waitFor(() => received.every((r) => r.length >= 4 * N), 15_000, 'all events');
      await new Promise((r) => setTimeout(r, 200)); // a late duplicate would show up here
      for (const got of received) {
        expect(got).toHaveLength(4 * N);
        for (let from = 0; from < 4; from++) {
          expect(got.filter((e) => e.from === from).map((e) => e.seq)).toEqual(
            Array.from({ length: N }, (_, k) => k),
          );
        }
      }
      expect(otherGot).toEqual([]);
      // Interest-based routing: nothing crossed a link for a topic nobody wanted.
      const before = mesh.gateways.map((g) => g.stats.meshForwarded);
      for (let k = 0; k < 50; k++) void publishers[0].publish('be.cortexiq.nobody.cares', { k });
      await publishers[0].flush();
      await new Promise((r) => setTimeout(r, 100));
      expect(mesh.gateways.map((g) => g.stats.meshForwarded)).toEqual(before);
    });

    it('exclude_me skips only the publisher itself', async () => {
      const a = await mesh.client(0);
      const b = await mesh.client(0);
      const gotA: unknown[] = [];
      const gotB: unknown[] = [];
      await a.subscribe('be.cortexiq.self.test', (p) => void gotA.push(p));
      await b.subscribe('be.cortexiq.self.test', (p) => void gotB.push(p));
      await a.publish('be.cortexiq.self.test', 1, { excludeMe: true, ack: true });
      await waitFor(() => gotB.length === 1, 5000, 'b');
      await new Promise((r) => setTimeout(r, 50));
      expect(gotA).toEqual([]);
    });
  });
});
