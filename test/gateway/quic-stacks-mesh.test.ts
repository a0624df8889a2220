/**
 * Gateways and clients on different QUIC stacks in one realm: a gateway on quinn linked to one
 * on ngtcp2, each with clients of the other stack. Pub/sub reaches across both ways exactly once
 * and RPC is served across; so a deployment can move stack by stack (docs/protocol.md §1).
 */
import type { Gateway } from '../../gateway';
import { connect, type GatewayClient } from '../../gateway/client';
import type { QuicStack } from '../../gateway/transport/select';
import { ngtcp2Available } from '../../gateway/transport/ngtcp2-native';
import { REALM, startGateway, waitFor } from '../helpers/mesh';

jest.setTimeout(30_000);

const run = ngtcp2Available() ? describe : describe.skip;
if (!ngtcp2Available())
  console.warn('mixed QUIC stacks skipped: the ngtcp2 addon is not built (npm run build:native)');

run('a realm over both QUIC stacks', () => {
  let quinnGw: Gateway;
  let ngtcp2Gw: Gateway;
  const clients: GatewayClient[] = [];
  const client = async (gw: Gateway, quicStack: QuicStack, clientId: string): Promise<GatewayClient> => {
    const c = await connect({ url: gw.urls().quic!, realm: REALM, insecure: true, clientId, quicStack });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    quinnGw = await startGateway('gw-quinn', 'quic', { quicStack: 'quinn' });
    const url = quinnGw.urls().quic!;
    const u = new URL(url);
    ngtcp2Gw = await startGateway('gw-ngtcp2', 'quic', {
      quicStack: 'ngtcp2',
      meshPeers: [{ transport: 'quic', host: u.hostname, port: Number(u.port), url }],
    });
    await waitFor(
      () => [quinnGw, ngtcp2Gw].every((g) => g.mesh.lsdb.links().length === 1),
      10_000,
      'the quinn–ngtcp2 link',
    );
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await Promise.all([quinnGw, ngtcp2Gw].map((g) => g?.stop()));
  });

  it('delivers publications across the link both ways, once each, in order per publisher', async () => {
    const atQuinn = await client(quinnGw, 'ngtcp2', 'sub-at-quinn');
    const atNgtcp2 = await client(ngtcp2Gw, 'quinn', 'sub-at-ngtcp2');
    const got: Record<string, number[]> = { quinn: [], ngtcp2: [] };
    await atQuinn.subscribe('test.mixed.>', (p) => void got.quinn.push((p as { n: number }).n));
    await atNgtcp2.subscribe('test.mixed.>', (p) => void got.ngtcp2.push((p as { n: number }).n));
    const pubQuinn = await client(quinnGw, 'quinn', 'pub-at-quinn');
    const pubNgtcp2 = await client(ngtcp2Gw, 'ngtcp2', 'pub-at-ngtcp2');
    // Interest crosses the link before the first publication counts.
    await waitFor(
      () =>
        quinnGw.mesh.lsdb.interestedIn('test.mixed.n').includes('gw-ngtcp2') &&
        ngtcp2Gw.mesh.lsdb.interestedIn('test.mixed.n').includes('gw-quinn'),
      10_000,
      'interest across the link',
    );
    for (let n = 0; n < 200; n++)
      await (n % 2 ? pubQuinn : pubNgtcp2).publish('test.mixed.n', { n }, { ack: true });
    // A last event from each publisher: per-publisher order puts it behind all of that one's, so
    // once both markers are in at both subscribers, every copy that was coming has come.
    for (const [pub, n] of [
      [pubQuinn, -1],
      [pubNgtcp2, -2],
    ] as const)
      await pub.publish('test.mixed.n', { n }, { ack: true });
    const markers = (seen: number[]): boolean => seen.includes(-1) && seen.includes(-2);
    await waitFor(() => markers(got.quinn) && markers(got.ngtcp2), 10_000, 'both markers at both');
    for (const seen of [got.quinn, got.ngtcp2]) seen.splice(0, seen.length, ...seen.filter((n) => n >= 0));
    // Order holds per publisher (docs/protocol.md §2); the two publishers interleave freely.
    const evens = Array.from({ length: 100 }, (_, i) => 2 * i);
    const odds = evens.map((n) => n + 1);
    for (const seen of [got.quinn, got.ngtcp2]) {
      expect(seen).toHaveLength(200);
      expect(seen.filter((n) => n % 2 === 0)).toEqual(evens);
      expect(seen.filter((n) => n % 2 === 1)).toEqual(odds);
    }
  });

  it('serves a call at one stack from a caller at the other', async () => {
    const callee = await client(quinnGw, 'ngtcp2', 'callee');
    await callee.register<{ a: number; b: number }, number>('test.mixed.add', ({ a, b }) => a + b);
    const caller = await client(ngtcp2Gw, 'quinn', 'caller');
    // The registration reaches the other gateway with the next advertisement.
    await waitFor(() => ngtcp2Gw.mesh.hasRemote('test.mixed.add'), 10_000, 'the procedure across the link');
    expect(await caller.call('test.mixed.add', { a: 2, b: 3 }, { timeoutMs: 2000 })).toBe(5);
    expect(await caller.call('test.mixed.add', { a: 40, b: 2 }, { timeoutMs: 2000 })).toBe(42);
  });
});
