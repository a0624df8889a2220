/**
 * The destination's per-origin ordering (gateway/mesh/in-order.ts): what arrives ahead of a gap
 * waits, in order, until the gap fills; a gap waited for too long or past the byte bound is released
 * and counted; a message of a released gap still delivered (late), never dropped.
 */
import { InOrder } from '../../gateway/mesh/in-order';
import type { MeshMessage } from '../../gateway/mesh/link';
import { K } from '../../gateway/protocol/messages';

function msg(origin: string, seq: number, epoch = 1, payloadBytes = 8): MeshMessage {
  return {
    origin,
    originEpoch: epoch,
    msgId: seq,
    hops: 1,
    pubSeq: 0,
    dests: ['me'],
    destSeqs: [seq],
    body: [K.PUB, 'be.x', 'p'],
    payload: Buffer.alloc(payloadBytes, seq & 0xff),
  };
}

function setup(waitMs = 1000, maxBytes = 1 << 20) {
  const delivered: string[] = [];
  const gaps: string[] = [];
  /** Arrivals (link:sequence) whose acknowledgement is held back while they wait. */
  const held = new Set<string>();
  const order = new InOrder(waitMs, maxBytes, {
    deliver: (m) => delivered.push(`${m.origin}#${m.destSeqs[0]}`),
    gap: (origin, first, last, count, why) => gaps.push(`${origin} ${first}-${last} ${count} ${why}`),
    waits: (via: string, seq: number) => held.add(`${via}:${seq}`),
    released: (via: string, seq: number) => held.delete(`${via}:${seq}`),
  });
  const feed = (origin: string, seqs: number[], now = 0, epoch = 1): void => {
    for (const s of seqs) order.accept(msg(origin, s, epoch), s, undefined, 0, now);
  };
  return { order, delivered, gaps, feed, held };
}

describe('InOrder', () => {
  it('delivers a steady stream at once and starts at the first message heard', () => {
    const { order, delivered, feed } = setup();
    feed('a', [7, 8, 9]);
    expect(delivered).toEqual(['a#7', 'a#8', 'a#9']);
    expect(order.waitingCount).toBe(0);
  });

  it('holds what arrives ahead of a gap and releases it in order when the gap fills', () => {
    const { order, delivered, feed } = setup();
    feed('a', [1, 2, 5, 6, 3]);
    expect(delivered).toEqual(['a#1', 'a#2', 'a#3']);
    expect(order.waitingCount).toBe(2);
    feed('a', [4]);
    expect(delivered).toEqual(['a#1', 'a#2', 'a#3', 'a#4', 'a#5', 'a#6']);
    expect({ waiting: order.waitingCount, bytes: order.waitingBytes, gaps: order.gapsTotal }).toEqual({
      waiting: 0,
      bytes: 0,
      gaps: 0,
    });
  });

  it('keeps origins apart: a gap from one holds back no other', () => {
    const { delivered, feed } = setup();
    feed('a', [1, 3]);
    feed('b', [1, 2]);
    expect(delivered).toEqual(['a#1', 'b#1', 'b#2']);
  });

  it('copies the payload of a waiting message (the original is a view into a read buffer)', () => {
    const got: MeshMessage[] = [];
    const order = new InOrder(1000, 1 << 20, {
      deliver: (m) => got.push(m),
      gap: () => undefined,
      waits: () => undefined,
      released: () => undefined,
    });
    order.accept(msg('a', 1), 1);
    const ahead = msg('a', 3);
    order.accept(ahead, 3);
    ahead.payload.fill(0xee);
    order.accept(msg('a', 2), 2);
    expect(got.map((m) => m.payload[0])).toEqual([1, 2, 3]);
  });

  it('releases a gap waited for longer than the wait, counts it, and delivers the gap late if it comes', () => {
    const { order, delivered, gaps, feed } = setup(1000);
    feed('a', [1, 4, 5], 0);
    order.releaseOverdue(999);
    expect(delivered).toEqual(['a#1']);
    order.releaseOverdue(1000);
    expect(delivered).toEqual(['a#1', 'a#4', 'a#5']);
    expect(gaps).toEqual(['a 2-3 2 timeout']);
    expect(order.gaps).toEqual({ timeout: 2, bound: 0, origin: 0 });
    feed('a', [3, 6], 1500);
    expect(delivered).toEqual(['a#1', 'a#4', 'a#5', 'a#3', 'a#6']);
    expect(order.late).toBe(1);
  });

  it('waits for a second gap from when the first one filled', () => {
    const { order, delivered, feed } = setup(1000);
    feed('a', [1, 3, 5], 0);
    feed('a', [2], 900);
    expect(delivered).toEqual(['a#1', 'a#2', 'a#3']);
    order.releaseOverdue(1800);
    expect(delivered).toEqual(['a#1', 'a#2', 'a#3']);
    order.releaseOverdue(1900);
    expect(delivered).toEqual(['a#1', 'a#2', 'a#3', 'a#5']);
  });

  it('past its byte bound releases the longest-waiting gap first', () => {
    // Each waiting message costs its 8 payload bytes plus 128 of bookkeeping.
    const { order, delivered, gaps, feed } = setup(60_000, 3 * 136);
    feed('a', [1, 3], 0);
    feed('b', [1, 3, 4], 10);
    expect(delivered).toEqual(['a#1', 'b#1']);
    feed('b', [5], 20);
    expect(gaps).toEqual(['a 2-2 1 bound']);
    expect(delivered).toEqual(['a#1', 'b#1', 'a#3']);
    expect(order.waitingBytes).toBeLessThanOrEqual(3 * 136);
  });

  it('reports gaps given up at most every 5 s per origin, as one range', () => {
    const { order, gaps, feed } = setup(1000);
    feed('a', [1, 3], 10_000);
    order.releaseOverdue(11_000); // reported at once: the first for this origin
    feed('a', [5], 11_000);
    order.releaseOverdue(12_000);
    feed('a', [8], 12_000);
    order.releaseOverdue(13_000);
    expect(gaps).toEqual(['a 2-2 1 timeout']);
    order.releaseOverdue(16_000);
    expect(gaps).toEqual(['a 2-2 1 timeout', 'a 4-7 3 timeout']);
    expect(order.gaps.timeout).toBe(4);
  });

  it('an origin that restarted: what waits of its earlier life first, then its new stream from 1', () => {
    const { order, delivered, feed } = setup();
    feed('a', [1, 2, 4], 0, 1);
    feed('a', [2, 1], 0, 2);
    expect(delivered).toEqual(['a#1', 'a#2', 'a#4', 'a#1', 'a#2']);
    expect(order.gaps).toEqual({ timeout: 0, bound: 0, origin: 1 });
    feed('a', [9], 0, 1); // its earlier life again, after the new one: delivered, counted late
    expect(delivered.at(-1)).toBe('a#9');
    expect(order.late).toBe(1);
  });

  it('does not wait for what the origin says it gave up (a negative number)', () => {
    const { order, delivered, gaps, feed } = setup();
    feed('a', [1, 2, 5]);
    order.accept(msg('a', 8), -8, undefined, 0, 0);
    expect(delivered).toEqual(['a#1', 'a#2', 'a#5', 'a#8']);
    expect({ waiting: order.waitingCount, gaps: order.gaps }).toEqual({
      waiting: 0,
      gaps: { timeout: 0, bound: 0, origin: 4 },
    });
    expect(gaps).toEqual(['a 3-4 2 origin']); // 6-7 follows in the next report, 5 s later
    order.releaseOverdue(5000);
    expect(gaps).toEqual(['a 3-4 2 origin', 'a 6-7 2 origin']);
    feed('a', [4, 9]);
    expect(delivered.slice(4)).toEqual(['a#4', 'a#9']);
    expect(order.late).toBe(1);
  });

  it('takes a negative number that is the next one, or the first heard, as any other', () => {
    const { order, delivered, feed } = setup();
    order.accept(msg('a', 3), -3, undefined, 0, 0);
    feed('a', [4]);
    order.accept(msg('a', 5), -5, undefined, 0, 0);
    expect(delivered).toEqual(['a#3', 'a#4', 'a#5']);
    expect(order.gapsTotal).toBe(0);
  });

  it('passes unordered messages (calls and results, sequence 0) straight through', () => {
    const { order, delivered } = setup();
    order.accept(msg('a', 1), 1);
    order.accept(msg('a', 3), 3);
    order.accept({ ...msg('a', 0), body: [K.CALL] }, 0);
    expect(delivered).toEqual(['a#1', 'a#0']);
  });

  it('holds back the acknowledgement of what waits, on the link it came by, until it is delivered', () => {
    const { order, held, delivered } = setup();
    order.accept(msg('a', 1), 1, 'L1', 10, 0);
    order.accept(msg('a', 3), 3, 'L2', 20, 0);
    order.accept(msg('a', 4), 4, 'L1', 11, 0);
    expect([...held]).toEqual(['L2:20', 'L1:11']);
    order.accept(msg('a', 2), 2, 'L2', 21, 0);
    expect(delivered).toEqual(['a#1', 'a#2', 'a#3', 'a#4']);
    expect([...held]).toEqual([]);
  });

  it('ignores a second copy of a message already waiting', () => {
    const { order, feed } = setup();
    feed('a', [1, 3, 3]);
    expect(order.waitingCount).toBe(1);
  });
});
