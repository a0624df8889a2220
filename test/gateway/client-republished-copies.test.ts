/**
 * The client's side of "republish without duplicates" (docs/protocol.md §2): a gateway that
 * restarted delivers again copies of tracked publications a subscription already received, each
 * EVENT naming its (pubStream, pubSeq). A scripted gateway on a TLS listener sends exactly such a
 * stream, so the test does not depend on where a real kill happens to land: a live subscription
 * hands each publication to its handler once, an untracked event every time, another stream's
 * numbers apart; a durable one acknowledges a copy under its new sequence number without handing it
 * to the handler.
 */
import { connect, type GatewayClient } from '../../gateway/client';
import { encodeFrame, encodePayload, type Frame } from '../../gateway/protocol/frames';
import { FrameStream } from '../../gateway/protocol/frame-stream';
import { M } from '../../gateway/protocol/messages';
import { devIdentity } from '../../gateway/transport/identity';
import { tlsTransport } from '../../gateway/transport/tls';
import type { Listener } from '../../gateway/transport/transport';
import { waitFor } from '../helpers/mesh';

const TOPIC = 'be.cortexiq.test.copies';

/** Events as [durableSeq, pubStream, pubSeq, n]: n is the payload; no stream: untracked. */
type Scripted = [number, string | null, number, number];

const LIVE: Scripted[] = [
  [0, 'A', 1, 1],
  [0, 'A', 2, 2],
  [0, 'A', 3, 3],
  [0, null, 0, 100], // untracked: no id, never a copy
  [0, 'A', 2, 2], // copies, as a restarted gateway delivers them
  [0, 'A', 3, 3],
  [0, null, 0, 100],
  [0, 'B', 2, 20], // another publisher's stream numbers on its own
  [0, 'A', 4, 4],
];

const DURABLE: Scripted[] = [
  [1, 'A', 1, 1],
  [2, 'A', 2, 2],
  [3, 'A', 3, 3],
  [4, 'A', 2, 2], // copies with new sequence numbers
  [5, 'A', 3, 3],
  [6, 'A', 4, 4],
];

/** A gateway that answers HELLO and SUBSCRIBE and then sends the script; it records ACKs. */
async function scriptedGateway(): Promise<{ listener: Listener; acks: number[] }> {
  const id = await devIdentity();
  const acks: number[] = [];
  const listener = await tlsTransport.listen(
    { host: '127.0.0.1', port: 0, security: { certPem: id.certPem, keyPem: id.keyPem } },
    (conn) => {
      const stream = new FrameStream(conn, 1 << 20);
      stream.setHandler((f: Frame) => {
        const h = f.header;
        if (h[0] === M.HELLO) conn.write(encodeFrame([M.WELCOME, 'fake:1', 'fake', true]));
        else if (h[0] === M.ACK) acks.push(h[2] as number);
        else if (h[0] === M.SUBSCRIBE) {
          const durable = h[3] !== null;
          const subId = durable ? 2 : 1;
          conn.write(
            encodeFrame(
              durable ? [M.SUBSCRIBED, h[1], subId, 0, 'epoch-1', 0] : [M.SUBSCRIBED, h[1], subId, 0],
            ),
          );
          for (const [seq, pubStream, pubSeq, n] of durable ? DURABLE : LIVE) {
            const head: unknown[] = [M.EVENT, subId, TOPIC, 'fake:9', 'fake', seq];
            if (pubStream !== null) head.push(pubStream, pubSeq);
            conn.write(encodeFrame(head, encodePayload({ n })));
          }
        }
      });
    },
  );
  return { listener, acks };
}

describe('a subscriber client and republished copies', () => {
  let gw: { listener: Listener; acks: number[] };
  let client: GatewayClient | undefined;
  beforeEach(async () => {
    gw = await scriptedGateway();
  });
  afterEach(async () => {
    await client?.close().catch(() => undefined);
    await gw.listener.close();
  });

  const open = () =>
    connect({ url: `tls://127.0.0.1:${gw.listener.port}`, realm: 'r', insecure: true, reconnect: false });

  it('hands a live subscription each tracked publication once, and every untracked event', async () => {
    client = await open();
    const seen: number[] = [];
    const sub = await client.subscribe<{ n: number }>(TOPIC, (p) => void seen.push(p.n));
    await waitFor(() => seen.length >= 7, 5000, 'the scripted events');
    expect(seen).toEqual([1, 2, 3, 100, 100, 20, 4]);
    expect(sub.duplicates).toBe(2);
  });

  it('acknowledges a durable copy under its new number without handing it to the handler', async () => {
    client = await open();
    const seen: number[] = [];
    const sub = await client.subscribe<{ n: number }>(TOPIC, (p) => void seen.push(p.n), { durable: 'd' });
    await waitFor(() => gw.acks.includes(6), 5000, 'the acknowledgement of sequence 6');
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(sub.duplicates).toBe(2);
  });
});
