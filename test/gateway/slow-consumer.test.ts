/**
 * A slow consumer never slows the gateway or other clients (docs/protocol.md §4): a raw TLS client
 * subscribes and stops reading while a publisher sends a bounded burst. The normal subscriber gets
 * everything, in order, promptly; the stuck client's queued bytes stay within
 * CLIENT_MAX_QUEUE_BYTES; its dropped events are counted; once it reads again it is told (DROPPED)
 * and every event is accounted for, delivered or dropped.
 *
 * A durable subscriber is different (docs/protocol.md §2): its events are kept for it until acknowledged,
 * so being slow must not cost it any; the last test checks that no sequence number is skipped.
 *
 * One burst, then one `it` per property (they run in order and share the burst's outcome), so a
 * failure of one property does not hide the others.
 */
import type { Gateway } from '../../gateway';
import type { GatewayClient } from '../../gateway/client';
import { TRANSPORT_WINDOW_BYTES } from '../../gateway/core/outbound';
import type { ClientSession } from '../../gateway/core/session';
import { decodePayload } from '../../gateway/protocol/frames';
import { M } from '../../gateway/protocol/messages';
import { REALM, startMesh, waitFor, type TestMesh } from '../helpers/mesh';
import { RawTlsSocketClient } from '../helpers/raw-client';

jest.setTimeout(30_000);

const QUEUE_BOUND = 256 * 1024;
/**
 * On top of the bound: the transport window (what may sit in the socket before frames wait in the
 * gateway's queue, which lets a reader busy for a moment take a burst) and what one event-loop
 * turn may add before the gateway trims.
 */
const SLACK = TRANSPORT_WINDOW_BYTES + 64 * 1024;
const TOPIC = 'be.cortexiq.slow.burst';
const N = 8000;
const BATCH = 250;
const PAYLOAD = Buffer.alloc(4096, 0x61).toString(); // 4 KiB: the burst (32 MiB) outgrows every socket buffer

describe('slow consumer over tls', () => {
  let mesh: TestMesh;
  let gw: Gateway;
  let slow: RawTlsSocketClient;
  let normal: GatewayClient;
  let publisher: GatewayClient;
  let session: ClientSession;
  let subId: unknown;
  const got: number[] = [];
  const normalDrops: unknown[] = [];
  let maxDepth = 0;
  let slowestBatchMs = 0;
  let elapsedMs = 0;

  beforeAll(async () => {
    mesh = await startMesh(1, 'line', 'tls', { clientMaxQueueBytes: QUEUE_BOUND });
    gw = mesh.gateways[0];
    slow = await RawTlsSocketClient.dial(gw.listeners.get('tls')!.port);
    normal = await mesh.client(0, 'normal');
    publisher = await mesh.client(0, 'publisher');
    expect((await slow.hello(REALM)).header[0]).toBe(M.WELCOME);
    subId = (await slow.request((id) => [M.SUBSCRIBE, id, TOPIC, null])).header[2];
    session = [...gw.sessions.values()].find((s) => s.clientId === 'raw-test-client')!;
    await normal.subscribe<{ n: number }>(TOPIC, (p) => void got.push(p.n));
    normal.on('dropped', (d) => normalDrops.push(d));
    slow.pause();

    const sampler = setInterval(() => (maxDepth = Math.max(maxDepth, session.out.depthBytes)), 2);
    const started = Date.now();
    try {
      // Batches of 1 MiB, each waited for at the normal subscriber: it shares this process (and its
      // event loop) with the gateway, so an unpaced publisher would outrun it by itself. A gateway
      // that held events back for the stuck client would stall these batches.
      for (let from = 0; from < N; from += BATCH) {
        const batchStart = Date.now();
        for (let n = from; n < from + BATCH; n++) void publisher.publish(TOPIC, { n, pad: PAYLOAD });
        await waitFor(
          () => got.length >= from + BATCH,
          5000,
          `batch ${from / BATCH} at the normal subscriber`,
        );
        slowestBatchMs = Math.max(slowestBatchMs, Date.now() - batchStart);
      }
      await publisher.publish(TOPIC, { n: -1, pad: '' }, { ack: true });
      await waitFor(() => got.length === N + 1, 5000, 'every event at the normal subscriber');
    } finally {
      clearInterval(sampler);
    }
    elapsedMs = Date.now() - started;
    maxDepth = Math.max(maxDepth, session.out.depthBytes);
  });
  afterAll(async () => {
    slow?.destroy();
    await mesh?.stop();
  });

  it('delivers every event of the burst to the normal subscriber, in order, without drops, promptly', () => {
    expect(got).toEqual([...Array.from({ length: N }, (_, i) => i), -1]);
    expect(normalDrops).toEqual([]);
    expect(slowestBatchMs).toBeLessThan(2000);
    expect(elapsedMs).toBeLessThan(20_000);
  });

  it('keeps the stuck client queued bytes within CLIENT_MAX_QUEUE_BYTES', () => {
    expect(session.out.droppedTotal).toBeGreaterThan(0); // the burst did overflow it
    expect(maxDepth).toBeLessThanOrEqual(QUEUE_BOUND + SLACK);
  });

  it('counts the drops while the client is still stuck', () => {
    expect(gw.stats.slowConsumerDrops).toBeGreaterThan(0);
  });

  it('tells the client how many events it lost once it reads again, and every event is accounted for', async () => {
    slow.resume();
    const dropped = await slow.waitFrame((f) => f.header[0] === M.DROPPED, 'DROPPED notice', 10_000);
    expect(dropped.header[1]).toBe(subId);
    const count = slow.ofType(M.DROPPED).reduce((sum, f) => sum + (f.header[2] as number), 0);
    expect(count).toBeGreaterThan(0);
    await waitFor(() => slow.ofType(M.EVENT).length + count >= N + 1, 10_000, 'the slow client to catch up');
    const delivered = slow.ofType(M.EVENT).map((f) => (decodePayload(f.payload) as { n: number }).n);
    expect(delivered.length + count).toBe(N + 1);
    // What it did get is in publish order (oldest dropped first: gaps, never a reordering).
    const numbers = delivered.map((n) => (n === -1 ? N : n));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(gw.stats.slowConsumerDrops).toBe(count);
    await slow.ping(); // still a working session
  });
});

describe('slow durable consumer over tls', () => {
  let mesh: TestMesh;
  let slow: RawTlsSocketClient;
  afterAll(async () => {
    slow?.destroy();
    await mesh?.stop();
  });

  it('loses no event of a durable subscription to the slow-consumer bound (they are kept for it anyway)', async () => {
    mesh = await startMesh(1, 'line', 'tls', { clientMaxQueueBytes: QUEUE_BOUND });
    const gw = mesh.gateways[0];
    slow = await RawTlsSocketClient.dial(gw.listeners.get('tls')!.port);
    await slow.hello(REALM);
    const subId = (await slow.request((id) => [M.SUBSCRIBE, id, TOPIC, 'slow-durable'])).header[2];
    slow.pause();
    const publisher = await mesh.client(0, 'publisher');
    const durable = gw.durables.get('slow-durable')!;
    for (let from = 0; from < N; from += BATCH) {
      for (let n = from; n < from + BATCH; n++) void publisher.publish(TOPIC, { n, pad: PAYLOAD });
      await publisher.publish(TOPIC, { n: -1, pad: '' }, { ack: true }); // pace: one batch at a time
    }
    const total = N + N / BATCH;
    expect(durable.pending).toBe(total); // all kept (far below DURABLE_MAX_*), none acknowledged
    slow.resume();
    // Read until the stream is quiet, acknowledging as a client would, then resubscribe for what
    // is still unacknowledged: together, every sequence number must have arrived.
    let last = -1;
    let changedAt = Date.now();
    await waitFor(
      () => {
        if (slow.frames.length !== last) [last, changedAt] = [slow.frames.length, Date.now()];
        return Date.now() - changedAt > 300 && slow.ofType(M.EVENT).length > 0;
      },
      20_000,
      'the slow durable client to drain',
    );
    const seqs = new Set(slow.ofType(M.EVENT).map((f) => f.header[5] as number));
    const maxSeq = Math.max(...seqs);
    slow.send([M.ACK, subId, maxSeq]);
    await waitFor(() => durable.pending === total - maxSeq, 5000, 'the acknowledgement');
    const missing = Array.from({ length: maxSeq }, (_, i) => i + 1).filter((s) => !seqs.has(s));
    expect({
      missing: missing.length,
      firstMissing: missing.slice(0, 5),
      dropNotices: slow.ofType(M.DROPPED).length,
    }).toEqual({
      missing: 0,
      firstMissing: [],
      dropNotices: 0,
    });
  });
});
