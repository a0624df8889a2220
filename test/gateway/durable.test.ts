/**
 * Durable subscriptions (docs/protocol.md §2): the gateway keeps a durable subscription's events while
 * its client is away and replays, in order, what was not acknowledged when a client subscribes
 * again under the same name; a crash replays only the unacknowledged; overflow of
 * DURABLE_MAX_MESSAGES is counted and reported on resume. Publisher and subscriber sit on two
 * different gateways of a mesh, so the durable interest must also hold the mesh route.
 */
import type { Gateway, TransportName } from '../../gateway';
import { connect, type GatewayClient } from '../../gateway/client';
import { decodePayload } from '../../gateway/protocol/frames';
import { M } from '../../gateway/protocol/messages';
import { crashClient } from '../helpers/crash';
import { RawClient } from '../helpers/raw-client';
import { REALM, interestPropagated, startMesh, waitFor, type TestMesh } from '../helpers/mesh';

jest.setTimeout(30_000);

const TOPIC = 'be.cortexiq.durable.reading';
const DURABLE_MAX = 20;
const never = (): Promise<never> => new Promise<never>(() => undefined);

/** Publisher at gw0, durable subscribers at gw1; a small durable bound for the overflow test. */
async function twoGateways(transport: TransportName): Promise<TestMesh> {
  const mesh = await startMesh(2, 'line', transport, { durableMaxMessages: DURABLE_MAX });
  await mesh.converged(1);
  return mesh;
}

/** Clients made outside mesh.client (those with reconnect off), closed after each test. */
const extraClients: GatewayClient[] = [];

async function subscriberAt(mesh: TestMesh, i: number, reconnect = true): Promise<GatewayClient> {
  if (reconnect) return mesh.client(i);
  const c = await connect({ url: mesh.url(i), realm: REALM, insecure: true, reconnect });
  extraClients.push(c);
  return c;
}

async function publishRange(pub: GatewayClient, from: number, to: number): Promise<void> {
  for (let n = from; n < to; n++) void pub.publish(TOPIC, n);
  await pub.publish(TOPIC, -1, { ack: true }); // barrier: all above accepted
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe.each(['quic', 'tls'] as const)('durable subscriptions over %s', (transport) => {
  let mesh: TestMesh;
  let gw1: Gateway;
  let pub: GatewayClient;

  beforeEach(async () => {
    mesh = await twoGateways(transport);
    gw1 = mesh.gateways[1];
    pub = await mesh.client(0, 'publisher');
  });
  afterEach(async () => {
    await Promise.all(extraClients.splice(0).map((c) => c.close()));
    await mesh?.stop();
  });

  /** Events (ignoring the -1 barriers) a handler saw. */
  const values = (got: number[]): number[] => got.filter((n) => n >= 0);

  it('after a crash, a new client under the same name gets exactly the unacknowledged and the new events, in order', async () => {
    const first = await subscriberAt(mesh, 1, false);
    const seen: number[] = [];
    await first.subscribe<number>(
      TOPIC,
      (n) => {
        seen.push(n);
        // The handler blocks on event 5: 0..4 are acknowledged, 5 and everything after are not.
        if (n === 5) return never();
      },
      { durable: 'meter-reader' },
    );
    await interestPropagated(mesh, TOPIC, [1]);
    await publishRange(pub, 0, 10);
    await waitFor(() => seen.includes(5), 5000, 'event 5 at the first subscriber');
    const durable = gw1.durables.get('meter-reader')!;
    // 0..4 acknowledged and forgotten; 5..9 and the barrier still kept.
    await waitFor(() => durable.pending === 6, 5000, 'acknowledgements of 0..4 at the gateway');
    expect(seen).toEqual(range(0, 6));

    crashClient(first);
    await waitFor(() => durable.sessionId === undefined, 10_000, 'the gateway to notice the crash');
    await publishRange(pub, 10, 15);
    await waitFor(() => durable.pending === 12, 5000, 'events published while away kept');

    const second = await subscriberAt(mesh, 1);
    const resumed: number[] = [];
    const sub = await second.subscribe<number>(TOPIC, (n) => void resumed.push(n), {
      durable: 'meter-reader',
    });
    await waitFor(() => values(resumed).length >= 10, 5000, 'replay of 5..14');
    await publishRange(pub, 15, 18);
    await waitFor(() => values(resumed).includes(17), 5000, 'new events after the resume');
    await new Promise((r) => setTimeout(r, 100)); // a late duplicate would show up here
    expect(values(resumed)).toEqual(range(5, 18));
    expect(sub.dropped).toBe(0);
    await waitFor(() => durable.pending === 0, 5000, 'everything acknowledged by the second client');
    await second.close();
  });

  it('gateway side, raw protocol: after a crash it replays exactly the events after the last ACK, in order, with their sequence numbers', async () => {
    const port = gw1.listeners.get(transport)!.port;
    const first = await RawClient.dial(transport, port);
    await first.hello(REALM);
    const subscribed = await first.request((id) => [M.SUBSCRIBE, id, TOPIC, 'raw-reader']);
    const subId = subscribed.header[2];
    // A new subscription: its epoch, and nothing acknowledged yet (docs/protocol.md §2).
    const epoch = subscribed.header[4];
    expect(typeof epoch).toBe('string');
    expect(subscribed.header[5]).toBe(0);
    await interestPropagated(mesh, TOPIC, [1]);
    await publishRange(pub, 0, 8);
    await waitFor(() => first.ofType(M.EVENT).length === 9, 5000, 'nine events at the raw subscriber');
    const seqs = first.ofType(M.EVENT).map((f) => f.header[5] as number);
    expect(seqs).toEqual(range(1, 10));
    first.send([M.ACK, subId, seqs[3]]); // events 0..3 processed
    const durable = gw1.durables.get('raw-reader')!;
    await waitFor(() => durable.pending === 5, 5000, 'the acknowledgement');
    first.destroy();
    await waitFor(() => durable.sessionId === undefined, 10_000, 'the gateway to notice the crash');
    await publishRange(pub, 8, 11);

    const second = await RawClient.dial(transport, port);
    await second.hello(REALM);
    const reply = await second.request((id) => [M.SUBSCRIBE, id, TOPIC, 'raw-reader']);
    expect(reply.header[0]).toBe(M.SUBSCRIBED);
    expect(reply.header[3]).toBe(0); // nothing overflowed
    // The same life of the subscription, acknowledged up to the fourth event.
    expect(reply.header[4]).toBe(epoch);
    expect(reply.header[5]).toBe(4);
    await waitFor(() => second.ofType(M.EVENT).length >= 9, 5000, 'replay');
    await new Promise((r) => setTimeout(r, 100));
    const events = second.ofType(M.EVENT);
    expect(events.map((f) => f.header[5])).toEqual(range(5, 14));
    expect(events.map((f) => decodePayload(f.payload))).toEqual([4, 5, 6, 7, -1, 8, 9, 10, -1]);
    second.destroy();
  });

  it('replays what was published while the client was away, and nothing it had acknowledged', async () => {
    const first = await subscriberAt(mesh, 1);
    const got: number[] = [];
    await first.subscribe<number>(TOPIC, (n) => void got.push(n), { durable: 'away' });
    await interestPropagated(mesh, TOPIC, [1]);
    await publishRange(pub, 0, 5);
    await waitFor(() => values(got).length === 5, 5000, 'first five');
    const durable = gw1.durables.get('away')!;
    await waitFor(() => durable.pending === 0, 5000, 'acknowledgements');
    await first.close();
    await waitFor(() => durable.sessionId === undefined, 5000, 'detached');
    // While away the interest stays advertised, so the mesh keeps routing to gw1.
    await new Promise((r) => setTimeout(r, 200));
    expect(mesh.gateways[0].mesh.lsdb.interestedIn(TOPIC)).toContain('gw1');
    await publishRange(pub, 5, 9);
    await waitFor(() => durable.pending === 5, 5000, 'kept while away');

    const second = await subscriberAt(mesh, 1);
    const replayed: number[] = [];
    await second.subscribe<number>(TOPIC, (n) => void replayed.push(n), { durable: 'away' });
    await waitFor(() => values(replayed).length >= 4, 5000, 'replay');
    await new Promise((r) => setTimeout(r, 100));
    expect(values(replayed)).toEqual(range(5, 9));
    await second.close();
  });

  it('counts overflow beyond DURABLE_MAX_MESSAGES and reports it on resume; replays the newest kept', async () => {
    const first = await subscriberAt(mesh, 1);
    await first.subscribe<number>(TOPIC, () => undefined, { durable: 'overflowing' });
    await interestPropagated(mesh, TOPIC, [1]);
    const durable = gw1.durables.get('overflowing')!;
    await first.close();
    await waitFor(() => durable.sessionId === undefined, 5000, 'detached');
    for (let n = 0; n < 35; n++) void pub.publish(TOPIC, n);
    await pub.publish(TOPIC, 35, { ack: true });
    await waitFor(
      () => durable.overflowTotal === 16,
      5000,
      `overflow counted at the gateway (36 events into a bound of ${DURABLE_MAX})`,
    );
    expect(durable.pending).toBe(DURABLE_MAX);

    const second = await subscriberAt(mesh, 1);
    const reports: unknown[] = [];
    second.on('dropped', (d) => reports.push(d));
    const replayed: number[] = [];
    const sub = await second.subscribe<number>(TOPIC, (n) => void replayed.push(n), {
      durable: 'overflowing',
    });
    expect(sub.dropped).toBe(16);
    expect(reports).toEqual([expect.objectContaining({ durable: 'overflowing', count: 16 })]);
    await waitFor(() => replayed.length >= DURABLE_MAX, 5000, 'replay of the newest kept');
    await new Promise((r) => setTimeout(r, 100));
    expect(replayed).toEqual(range(16, 36));
    // Reported once: a later resume starts from zero.
    await second.close();
    const third = await subscriberAt(mesh, 1);
    const again = await third.subscribe<number>(TOPIC, () => undefined, { durable: 'overflowing' });
    expect(again.dropped).toBe(0);
    await third.close();
  });

  it('loses nothing across the client library own reconnect after a dropped connection', async () => {
    const client = await subscriberAt(mesh, 1);
    const reconnected = new Promise((r) => client.on('reconnected', r));
    const got: number[] = [];
    await client.subscribe<number>(TOPIC, (n) => void got.push(n), { durable: 'blip' });
    await interestPropagated(mesh, TOPIC, [1]);
    await publishRange(pub, 0, 5);
    const durable = gw1.durables.get('blip')!;
    await waitFor(() => durable.pending === 0 && values(got).length === 5, 5000, 'first five, acknowledged');
    crashClient(client); // the connection drops; the client redials by itself
    await publishRange(pub, 5, 10); // some land while it is away, some after it is back
    await reconnected;
    await publishRange(pub, 10, 12);
    await waitFor(() => values(got).includes(11), 5000, 'events after the reconnect');
    await new Promise((r) => setTimeout(r, 100));
    expect(values(got)).toEqual(range(0, 12));
  });

  it('unsubscribe ends a durable subscription: the name starts afresh', async () => {
    const first = await subscriberAt(mesh, 1);
    const sub = await first.subscribe<number>(TOPIC, () => undefined, { durable: 'short-lived' });
    await interestPropagated(mesh, TOPIC, [1]);
    await sub.unsubscribe();
    expect(gw1.durables.has('short-lived')).toBe(false);
    await publishRange(pub, 0, 3);
    const got: number[] = [];
    await first.subscribe<number>(TOPIC, (n) => void got.push(n), { durable: 'short-lived' });
    await new Promise((r) => setTimeout(r, 200));
    expect(got).toEqual([]);
    await first.close();
  });
});
