/**
 * End to end on random connected graphs (docs/protocol.md §2 ordering, §3 forwarding): real TLS gateways
 * laid out as a seeded random connected graph of 3–6 nodes, subscribers with assorted patterns at
 * random gateways, a publisher at every gateway. Every matching subscriber gets every publication
 * exactly once, in per-publisher order; a non-matching one gets nothing.
 */
import fc from 'fast-check';
import type { GatewayClient } from '../../gateway/client';
import { interestPropagated, startMesh, waitFor } from '../helpers/mesh';

jest.setTimeout(60_000);

const TOPIC = 'be.cortexiq.graph.home.reading';
const MATCHING = ['be.cortexiq.graph.>', 'be.cortexiq.graph.*.reading', TOPIC, 'be.cortexiq.*.home.*'];
const NOT_MATCHING = 'be.cortexiq.graph.market.>';
const PER_PUBLISHER = 40;

interface Scenario {
  n: number;
  edges: Array<[number, number]>;
  /** Per gateway: the patterns of the subscribers attached to it (index into MATCHING, or -1). */
  subscribers: number[][];
}

const scenario: fc.Arbitrary<Scenario> = fc.integer({ min: 3, max: 6 }).chain((n) =>
  fc
    .tuple(
      // A random spanning tree keeps the graph connected; extra edges add cycles.
      fc.tuple(...Array.from({ length: n - 1 }, (_, i) => fc.nat(i))),
      fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 6 }),
      fc.array(fc.array(fc.integer({ min: -1, max: MATCHING.length - 1 }), { maxLength: 2 }), {
        minLength: n,
        maxLength: n,
      }),
    )
    .map(([parents, extra, subscribers]) => {
      const edges = new Set<string>();
      parents.forEach((p, i) => edges.add(`${p}-${i + 1}`));
      for (const [a, b] of extra) if (a !== b) edges.add(`${Math.min(a, b)}-${Math.max(a, b)}`);
      // At least one matching subscriber somewhere, so every run checks delivery.
      if (!subscribers.some((s) => s.some((p) => p >= 0))) subscribers[n - 1] = [0];
      return {
        n,
        edges: [...edges]
          .map((e) => e.split('-').map(Number) as [number, number])
          .sort((x, y) => x[0] - y[0] || x[1] - y[1]),
        subscribers,
      };
    }),
);

async function runScenario({ n, edges, subscribers }: Scenario): Promise<void> {
  if (process.env.SHOW_GRAPHS) console.log(JSON.stringify({ n, edges, subscribers }));
  const mesh = await startMesh(n, edges, 'tls');
  try {
    await mesh.converged(edges.length, 15_000);
    const inboxes: Array<{ at: number; pattern: string; got: Array<{ from: number; seq: number }> }> = [];
    for (let g = 0; g < n; g++) {
      for (const p of subscribers[g]) {
        const c = await mesh.client(g);
        const inbox = {
          at: g,
          pattern: p >= 0 ? MATCHING[p] : NOT_MATCHING,
          got: [] as Array<{ from: number; seq: number }>,
        };
        await c.subscribe<{ from: number; seq: number }>(inbox.pattern, (e) => void inbox.got.push(e));
        inboxes.push(inbox);
      }
    }
    const interested = [...new Set(inboxes.filter((i) => i.pattern !== NOT_MATCHING).map((i) => i.at))];
    await interestPropagated(mesh, TOPIC, interested);
    const publishers: GatewayClient[] = [];
    for (let g = 0; g < n; g++) publishers.push(await mesh.client(g));
    for (let seq = 0; seq < PER_PUBLISHER; seq++)
      for (let from = 0; from < n; from++) void publishers[from].publish(TOPIC, { from, seq });
    const matching = inboxes.filter((i) => i.pattern !== NOT_MATCHING);
    await waitFor(
      () => matching.every((i) => i.got.length >= n * PER_PUBLISHER),
      15_000,
      `all events in ${JSON.stringify({ n, edges })}`,
    );
    await new Promise((r) => setTimeout(r, 200)); // a late duplicate would show up here
    const expected = Array.from({ length: PER_PUBLISHER }, (_, k) => k);
    for (const inbox of inboxes) {
      if (inbox.pattern === NOT_MATCHING) {
        expect(inbox.got).toEqual([]);
        continue;
      }
      expect(inbox.got).toHaveLength(n * PER_PUBLISHER);
      for (let from = 0; from < n; from++) {
        expect({
          at: inbox.at,
          from,
          seqs: inbox.got.filter((e) => e.from === from).map((e) => e.seq),
        }).toEqual({ at: inbox.at, from, seqs: expected });
      }
    }
  } finally {
    await mesh.stop();
  }
}

describe('random connected graphs of real gateways (tls)', () => {
  it('deliver every publication exactly once, in order, to exactly the matching subscribers', async () => {
    await fc.assert(fc.asyncProperty(scenario, runScenario), {
      numRuns: 6,
      seed: 20261122,
      endOnFailure: true,
    });
  });
});
