/**
 * A client republishes what its gateway had not acknowledged (docs/protocol.md §2, republish); the
 * copies that were already delivered are recognised by (pubStream, pubSeq) and dropped, whether the
 * client comes back to the same gateway process (which routed them: it drops them at once), to a
 * restarted one (which knows nothing: the subscriber's gateway drops them) or to another one
 * (which delivered them to its own subscribers but still routes them on, for the others). To make every
 * publication a copy, the test keeps the publisher's client from seeing any PUBACK, reaching into
 * one private field as test/helpers/crash.ts does.
 */
import type { Gateway, GatewayConfig } from '../../gateway';
import { connect, type GatewayClient } from '../../gateway/client';
import { crashClient } from '../helpers/crash';
import { REALM, startGateway, waitFor } from '../helpers/mesh';

jest.setTimeout(60_000);

const COUNT = 500;

/** Until the returned function is called, the client ignores every PUBACK. */
function ignoreAcks(client: GatewayClient): () => void {
  const internals = client as unknown as { unacked?: { ack: (upTo: number) => void } };
  const unacked = internals.unacked;
  if (!unacked?.ack)
    throw new Error('ignoreAcks: the client library internals changed (expected client.unacked.ack)');
  unacked.ack = () => undefined;
  return () => void delete (unacked as { ack?: unknown }).ack;
}

function unackedCount(client: GatewayClient): number {
  return (client as unknown as { unacked: { count: number } }).unacked.count;
}

describe.each(['tls', 'quic'] as const)('republished copies over %s', (transport) => {
  let a: Gateway;
  let b: Gateway | undefined;
  const clients: GatewayClient[] = [];
  let peers: GatewayConfig['meshPeers'];
  let received: number[];

  beforeEach(async () => {
    a = await startGateway('gw-a', transport);
    const url = a.urls()[transport]!;
    const u = new URL(url);
    peers = [{ transport, host: u.hostname, port: Number(u.port), url }];
    b = await startGateway('gw-b', transport, { meshPeers: peers });
    const sub = await connect({ url, realm: REALM, insecure: true });
    clients.push(sub);
    received = [];
    await sub.subscribe<{ i: number }>('test.republish.x', (e) => void received.push(e.i));
    await waitFor(
      () => b!.mesh.lsdb.interestedIn('test.republish.x').length === 1,
      10_000,
      'gw-b knows the subscription',
    );
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
    await b?.stop();
    await a.stop();
  });

  /** A QUIC listener's port stays taken while its closed connections drain (docs/protocol.md §1). */
  async function restartOn(port: number): Promise<Gateway> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await startGateway('gw-b', transport, { meshPeers: peers, port });
      } catch (err) {
        if (attempt >= 100 || !/address already in use/.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Publishes COUNT that all arrive but stay unacknowledged; returns what lets acks in again. */
  async function publishAll(pub: GatewayClient): Promise<() => void> {
    const restore = ignoreAcks(pub);
    for (let i = 0; i < COUNT; i++) await pub.publish('test.republish.x', { i });
    await waitFor(() => received.length === COUNT, 20_000, `${COUNT} events at the subscriber`);
    expect(unackedCount(pub)).toBe(COUNT);
    return restore;
  }

  it('drops them at the gateway that routed them when the client comes back to it', async () => {
    const pub = await connect({ url: b!.urls()[transport]!, realm: REALM, insecure: true });
    clients.push(pub);
    const restoreAcks = await publishAll(pub);
    const reconnected = new Promise((r) => pub.on('reconnected', r));
    crashClient(pub);
    await reconnected;
    await waitFor(() => b!.router.stats.publicationDuplicates === COUNT, 20_000, 'copies dropped at gw-b');
    restoreAcks();
    await pub.publish('test.republish.x', { i: COUNT });
    await waitFor(() => received.length === COUNT + 1, 20_000, 'the next publication arrives');
    expect(received).toEqual([...Array(COUNT + 1).keys()]);
    await pub.flush();
    expect(unackedCount(pub)).toBe(0);
    expect(a.router.stats.publicationDuplicates).toBe(0);
  });

  it("drops them at the subscriber's gateway when they come through a restarted gateway", async () => {
    const url = b!.urls()[transport]!;
    const port = b!.listeners.get(transport)!.port;
    const pub = await connect({ url, realm: REALM, insecure: true });
    clients.push(pub);
    const restoreAcks = await publishAll(pub);
    await b!.stop();
    b = await restartOn(port);
    await waitFor(() => a.router.stats.publicationDuplicates === COUNT, 30_000, 'copies dropped at gw-a');
    restoreAcks();
    await pub.publish('test.republish.x', { i: COUNT });
    await waitFor(() => received.length === COUNT + 1, 20_000, 'the next publication arrives');
    expect(received).toEqual([...Array(COUNT + 1).keys()]);
  });

  it('drops them where they were delivered when they come through another gateway', async () => {
    const pub = await connect({ url: b!.urls()[transport]!, realm: REALM, insecure: true });
    const nearSub = await connect({ url: b!.urls()[transport]!, realm: REALM, insecure: true });
    clients.push(pub, nearSub);
    const nearReceived: number[] = [];
    await nearSub.subscribe<{ i: number }>('test.republish.x', (e) => void nearReceived.push(e.i));
    await waitFor(
      () => a.mesh.lsdb.interestedIn('test.republish.x').includes('gw-b'),
      10_000,
      'gw-a knows the subscription at gw-b',
    );
    const restoreAcks = await publishAll(pub);
    // The client comes back through gw-a (as behind a load balancer): reaching into its options.
    (pub as unknown as { opts: { url: string } }).opts.url = a.urls()[transport]!;
    const reconnected = new Promise((r) => pub.on('reconnected', r));
    crashClient(pub);
    await reconnected;
    await waitFor(
      () => a.router.stats.publicationDuplicates === COUNT && b!.router.stats.publicationDuplicates === COUNT,
      20_000,
      'copies skipped at gw-a (delivered there) and dropped at gw-b',
    );
    restoreAcks();
    await pub.publish('test.republish.x', { i: COUNT });
    await waitFor(
      () => received.length === COUNT + 1 && nearReceived.length === COUNT + 1,
      20_000,
      'the next publication arrives at both',
    );
    expect(received).toEqual([...Array(COUNT + 1).keys()]);
    expect(nearReceived).toEqual([...Array(COUNT + 1).keys()]);
  });
});
