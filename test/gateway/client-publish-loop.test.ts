/**
 * A naive publish loop (`for (...) await client.publish(...)`, no `ack`) is paced by its gateway's
 * acknowledgements (docs/protocol.md §7): publish resolves at once while little waits for a PUBACK,
 * and once enough was acknowledged when more does. So 100,000 awaited publishes never keep more
 * than the high-water mark in the client, and every event still arrives, in order. `flush()`
 * resolves once everything is acknowledged, across a reconnect too; `unreliable` publications are
 * never kept.
 */
import type { Gateway, TransportName } from '../../gateway';
import { connect, type GatewayClient } from '../../gateway/client';
import { crashClient } from '../helpers/crash';
import { REALM, startGateway, waitFor } from '../helpers/mesh';

jest.setTimeout(120_000);

const COUNT = 100_000;
const BODY = 'x'.repeat(100);
/** The client's high-water mark of unacknowledged bytes (client.ts) plus one publication. */
const BOUND = 512 * 1024 + 1024;

interface Internals {
  unacked: { bytes: number; count: number };
  conn: { conn: { pendingBytes: number } };
}

/** What the client keeps: internal on purpose, what this test bounds is what the app cannot see. */
function internals(c: GatewayClient): Internals {
  return c as unknown as Internals;
}

describe.each(['tls', 'quic'] as const)('publishing over %s', (transport: TransportName) => {
  let gw: Gateway;
  let url: string;
  const clients: GatewayClient[] = [];
  beforeAll(async () => {
    gw = await startGateway(`gw-loop-${transport}`, transport);
    url = gw.urls()[transport]!;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await gw.stop();
  });

  async function pair(topic: string): Promise<{ pub: GatewayClient; received: number[] }> {
    const sub = await connect({ url, realm: REALM, insecure: true });
    const pub = await connect({ url, realm: REALM, insecure: true });
    clients.push(sub, pub);
    const received: number[] = [];
    await sub.subscribe<{ i: number }>(topic, (e) => void received.push(e.i));
    return { pub, received };
  }

  it(`an awaited loop of ${COUNT} keeps at most the high-water mark and loses nothing`, async () => {
    const { pub, received } = await pair('test.loop.x');
    let maxKept = 0;
    let maxPending = 0;
    for (let i = 0; i < COUNT; i++) {
      await pub.publish('test.loop.x', { i, body: BODY });
      maxKept = Math.max(maxKept, internals(pub).unacked.bytes);
      maxPending = Math.max(maxPending, internals(pub).conn.conn.pendingBytes);
    }
    await pub.flush();
    expect(internals(pub).unacked.count).toBe(0);
    expect(internals(pub).conn.conn.pendingBytes).toBe(0);
    expect(maxKept).toBeLessThanOrEqual(BOUND);
    // An unpaced loop would hold megabytes here.
    expect(maxPending).toBeLessThanOrEqual(BOUND);
    await waitFor(() => received.length === COUNT, 60_000, `${COUNT} events at the subscriber`);
    expect(received.every((v, i) => v === i)).toBe(true);
  });

  it('flush() resolves once everything is acknowledged, across a lost connection', async () => {
    const { pub, received } = await pair('test.flush.x');
    const n = 2000;
    for (let i = 0; i < n; i++) void pub.publish('test.flush.x', { i });
    crashClient(pub);
    await pub.flush();
    expect(internals(pub).unacked.count).toBe(0);
    await waitFor(() => received.length >= n, 20_000, `${n} events at the subscriber`);
    expect(received).toEqual([...Array(n).keys()]);
  });

  it('unreliable publications are never kept, and dropped while reconnecting', async () => {
    const { pub, received } = await pair('test.unreliable.x');
    await pub.publish('test.unreliable.x', { i: 0 }, { unreliable: true });
    expect(internals(pub).unacked.count).toBe(0);
    await waitFor(() => received.length === 1, 20_000, 'the first unreliable publication arrives');
    const reconnected = new Promise((r) => pub.on('reconnected', r));
    crashClient(pub);
    await pub.publish('test.unreliable.x', { i: 1 }, { unreliable: true });
    await reconnected;
    await pub.publish('test.unreliable.x', { i: 2 }, { ack: true });
    await waitFor(() => received.includes(2), 20_000, 'the acknowledged publication arrives');
    expect(received).toEqual([0, 2]);
    await expect(pub.publish('test.unreliable.x', 3, { ack: true, unreliable: true })).rejects.toThrow(
      /exclude each other/,
    );
  });
});
