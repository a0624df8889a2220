/**
 * Who waits for a mesh link's acknowledgements (gateway/mesh/link.ts, whenAcked): a client's PUBACK
 * batch (publication-acks.ts). It is released by the acknowledgement, by the link going down, or
 * after the longest wait; never from inside the call, and not at all when nothing is unacknowledged.
 */
import { PeerLink } from '../../gateway/mesh/link';
import type { Connection } from '../../gateway/transport/transport';

const conn = () => ({ write: () => undefined }) as unknown as Connection;
const msg = (payload: string) => ({
  origin: 'gw-a',
  originEpoch: 1,
  msgId: 1,
  hops: 0,
  pubSeq: 0,
  dests: ['gw-c'],
  destSeqs: [1],
  body: [0, 'be.test', 'pub', null],
  payload: Buffer.from(payload),
});

function linkWith(sent: number): PeerLink {
  const link = new PeerLink('gw-b', 1 << 20);
  link.attach(conn(), 0);
  for (let i = 0; i < sent; i++) link.send(msg(`m${i}`));
  return link;
}

describe('PeerLink.whenAcked', () => {
  it('waits for the acknowledgement of its sequence, in order', () => {
    const link = linkWith(3);
    const done: string[] = [];
    expect(link.whenAcked(2, () => done.push('two'))).toBe(true);
    expect(link.whenAcked(3, () => done.push('three'))).toBe(true);
    expect(done).toEqual([]);
    link.acked(1);
    expect(done).toEqual([]);
    link.acked(2);
    expect(done).toEqual(['two']);
    link.acked(3);
    expect(done).toEqual(['two', 'three']);
    expect(link.whenAcked(3, () => done.push('again'))).toBe(false); // already acknowledged
    link.dispose();
  });

  it('ends every wait when the link goes down, and waits on no link that is down', () => {
    const link = linkWith(2);
    let ended = 0;
    link.whenAcked(2, () => ended++);
    link.detach();
    expect(ended).toBe(1);
    link.send(msg('queued while down'));
    expect(link.whenAcked(link.lastSeq, () => ended++)).toBe(false);
    link.dispose();
  });

  it('ends waits older than the longest wait, and only those', () => {
    const link = linkWith(2);
    const done: number[] = [];
    const t0 = Date.now();
    link.whenAcked(1, () => done.push(1));
    expect(link.releaseOverdue(t0 + 2000, 3000)).toBe(0);
    expect(link.releaseOverdue(t0 + 60_000, 3000)).toBe(1);
    expect(done).toEqual([1]);
    link.dispose();
  });
});
