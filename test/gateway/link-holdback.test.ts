/**
 * A message that waits at its destination for an earlier one of its origin (in-order.ts) is not
 * acknowledged on the link it came by until it is delivered (gateway/mesh/link.ts): the neighbour
 * keeps it, and a reconnect or a durable log's record of what was received stops below it.
 */
import { PeerLink } from '../../gateway/mesh/link';
import type { Connection } from '../../gateway/transport/transport';
import { M } from '../../gateway/protocol/messages';
import { PREFIX_BYTES } from '../../gateway/protocol/frames';
import { decodeHeader } from '../../gateway/protocol/header-codec';

function recordingConn(): { conn: Connection; acks: () => number[] } {
  const written: Buffer[] = [];
  const conn = { write: (b: Buffer) => void written.push(Buffer.from(b)) } as unknown as Connection;
  // Each write is one frame here (nothing but acknowledgements is sent).
  const acks = (): number[] =>
    written
      .map((b) => decodeHeader(b.subarray(PREFIX_BYTES, PREFIX_BYTES + b.readUInt32BE(4))) as unknown[])
      .filter((h) => h[0] === M.LINK_ACK)
      .map((h) => h[1] as number);
  return { conn, acks };
}

describe('PeerLink acknowledgements of messages waiting for delivery', () => {
  it('stop below the lowest one waiting, and move on once it is delivered', () => {
    const link = new PeerLink('gw-b', 1 << 20);
    const { conn, acks } = recordingConn();
    link.attach(conn, 0);
    for (let seq = 1; seq <= 10; seq++) link.accept(seq);
    link.holdBack(7);
    link.holdBack(4);
    expect({ through: link.receivedThrough, ackable: link.ackable, inSeq: link.inSeq }).toEqual({
      through: 3,
      ackable: 3,
      inSeq: 10,
    });
    link.release(4);
    expect(link.receivedThrough).toBe(6);
    expect(acks()).toEqual([]);
    link.release(7); // nothing waits any more: acknowledged at once
    expect(link.receivedThrough).toBe(10);
    expect(acks()).toEqual([10]);
    link.dispose();
  });

  it('forgets what waited when the neighbour restarts (its sequence starts again)', () => {
    const link = new PeerLink('gw-b', 1 << 20);
    link.resetIncoming(1);
    for (let seq = 1; seq <= 5; seq++) link.accept(seq);
    link.holdBack(2);
    link.resetIncoming(2);
    link.accept(1);
    expect(link.receivedThrough).toBe(1);
    link.dispose();
  });
});
