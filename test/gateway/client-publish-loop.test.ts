/**
 * A naive publish loop (`for (...) await client.publish(...)`, no `ack`) gets natural backpressure
 * (docs/protocol.md, client): publish resolves at once while little waits to be sent, and waits for
 * the transport once more than the client's high-water mark does. So 100,000 awaited publishes
 * never hold more than about that much in the client, and every event still arrives, in order.
 * `flush()` resolves once everything has gone to the transport.
 */
import type { Gateway, TransportName } from '../../gateway';
import { connect, type GatewayClient } from '../../gateway/client';
import { REALM, startGateway, waitFor } from '../helpers/mesh';

jest.setTimeout(120_000);

const COUNT = 100_000;
const BODY = 'x'.repeat(100);
/** The client's high-water mark (client.ts) plus one frame. */
const BOUND = 512 * 1024 + 1024;

/** Bytes the client holds for its connection that the transport has not taken yet. */
function pendingBytes(c: GatewayClient): number {
  // Internal on purpose: what this test bounds is exactly what the app cannot see.
  return (c as unknown as { conn: { conn: { pendingBytes: number } } }).conn.conn.pendingBytes;
}

describe.each(['tls', 'quic'] as const)('an awaited publish loop over %s', (transport: TransportName) => {
  let gw: Gateway;
  const clients: GatewayClient[] = [];
  beforeAll(async () => {
    gw = await startGateway(`gw-loop-${transport}`, transport);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await gw.stop();
  });

  it(`keeps at most the high-water mark pending through ${COUNT} publishes, and loses nothing`, async () => {
    const url = gw.urls()[transport]!;
    const sub = await connect({ url, realm: REALM, insecure: true });
    const pub = await connect({ url, realm: REALM, insecure: true });
    clients.push(sub, pub);
    let received = 0;
    let inOrder = true;
    await sub.subscribe<{ i: number }>('test.loop.x', (e) => {
      if (e.i !== received) inOrder = false;
      received++;
    });
    let maxPending = 0;
    for (let i = 0; i < COUNT; i++) {
      await pub.publish('test.loop.x', { i, body: BODY });
      maxPending = Math.max(maxPending, pendingBytes(pub));
    }
    await pub.flush();
    expect(pendingBytes(pub)).toBe(0);
    expect(maxPending).toBeLessThanOrEqual(BOUND);
    await waitFor(() => received === COUNT, 60_000, `${COUNT} events at the subscriber`);
    expect(inOrder).toBe(true);
  });
});
