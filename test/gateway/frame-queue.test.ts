/**
 * FrameQueue (gateway/core/frame-queue.ts): what waits for a client past its transport window.
 * Oldest events are dropped first and counted per subscription, control frames never, order is
 * kept, and a client that never reads holds no more chunks than its bound needs, even behind a
 * control frame that cannot go out.
 */
import { ENTRY_OVERHEAD_BYTES, FrameQueue } from '../../gateway/core/frame-queue';
import { decodeHeader } from '../../gateway/protocol/header-codec';
import { encodeHeaderInto } from '../../gateway/protocol/header-codec';
import { encodeFrame, PREFIX_BYTES } from '../../gateway/protocol/frames';

const head = (n: number): Buffer => Buffer.from(encodeHeaderInto([9, n]));
const payload = Buffer.alloc(200, 1);
const frameBytes = (n: number): number => PREFIX_BYTES + head(n).length + payload.length;

/** The header numbers of the frames in a written byte stream. */
function numbers(chunks: Buffer[]): unknown[] {
  const all = Buffer.concat(chunks);
  const out: unknown[] = [];
  for (let at = 0; at < all.length;) {
    const len = all.readUInt32BE(at);
    const headLen = all.readUInt32BE(at + 4);
    out.push((decodeHeader(all.subarray(at + 8, at + 8 + headLen)) as unknown[])[1]);
    at += PREFIX_BYTES + len;
  }
  return out;
}

describe('FrameQueue', () => {
  it('drops the oldest events, never control frames, and writes the rest in order', () => {
    const q = new FrameQueue();
    q.pushEvent(head(1), payload, 7);
    q.pushControl(encodeFrame([9, 'c']));
    for (let n = 2; n <= 5; n++) q.pushEvent(head(n), payload, n % 2 ? 7 : 8);
    const dropped = new Map<number, number>();
    const target = q.bytes - 2 * (frameBytes(1) + ENTRY_OVERHEAD_BYTES);
    expect(q.dropOldest(target, dropped)).toBe(2);
    expect(Object.fromEntries(dropped)).toEqual({ 7: 1, 8: 1 });
    const written: Buffer[] = [];
    expect(
      q.drain(
        (b) => void written.push(Buffer.from(b)),
        () => true,
      ),
    ).toBe(true);
    expect(numbers(written)).toEqual(['c', 3, 4, 5]);
    expect(q.bytes).toBe(0);
  });

  it('stops handing over when the transport has no room, and resumes', () => {
    const q = new FrameQueue();
    const all = Array.from({ length: 1000 }, (_, n) => n);
    for (const n of all) q.pushEvent(head(n), payload, 1);
    const written: Buffer[] = [];
    let room = 1;
    expect(
      q.drain(
        (b) => void written.push(Buffer.from(b)),
        () => room-- > 0,
      ),
    ).toBe(false);
    expect(written).toHaveLength(1);
    expect(written[0].length).toBeLessThanOrEqual(64 * 1024);
    expect(numbers(written)).toEqual(all.slice(0, numbers(written).length));
    expect(
      q.drain(
        (b) => void written.push(Buffer.from(b)),
        () => true,
      ),
    ).toBe(true);
    expect(numbers(written)).toEqual(all);
  });

  it('a client that never reads, with a control frame stuck in front, holds memory within its bound', () => {
    const q = new FrameQueue();
    const bound = 1 << 20;
    q.pushControl(encodeFrame([9, 'stuck']));
    const dropped = new Map<number, number>();
    let maxHeld = 0;
    for (let n = 0; n < 200_000; n++) {
      q.pushEvent(head(n), payload, 1);
      if (q.bytes > bound) q.dropOldest((bound * 3) / 4, dropped);
      maxHeld = Math.max(maxHeld, q.heldBytes);
    }
    expect(q.bytes).toBeLessThanOrEqual(bound);
    // Chunks: what the bound needs, one partly dropped at the front and one being filled.
    expect(maxHeld).toBeLessThanOrEqual(bound + 2 * 256 * 1024);
    const written: Buffer[] = [];
    q.drain(
      (b) => void written.push(Buffer.from(b)),
      () => true,
    );
    const got = numbers(written);
    expect(got[0]).toBe('stuck');
    expect(got[got.length - 1]).toBe(199_999);
    expect(got.length - 1 + dropped.get(1)!).toBe(200_000);
  });
});

describe('FrameQueue chunk reuse', () => {
  const CHUNK = 256 * 1024;
  /** Enough events to fill `chunks` chunks. */
  const fill = (q: FrameQueue, chunks: number, from = 0): number => {
    const n = Math.ceil((chunks * CHUNK) / frameBytes(from));
    for (let i = 0; i < n; i++) q.pushEvent(head(from + i), payload, 1);
    return from + n;
  };

  it('never refills a chunk a write may still read until the connection has drained', () => {
    const q = new FrameQueue();
    fill(q, 3);
    const handed: Buffer[] = [];
    const copies: Buffer[] = [];
    q.drain(
      (b) => {
        handed.push(b); // kept, as a socket keeps what it has not sent yet
        copies.push(Buffer.from(b));
      },
      () => true,
    );
    fill(q, 3, 100_000); // no drain yet: nothing written may be overwritten
    expect(handed.every((b, i) => b.equals(copies[i]))).toBe(true);
    q.transportDrained();
    expect(q.spareCount).toBeGreaterThan(0);
  });

  it('reuses at once the chunks whose events were all dropped (a client that never reads)', () => {
    const q = new FrameQueue();
    const dropped = new Map<number, number>();
    const buffers = new Set<ArrayBufferLike>();
    const spy = jest.spyOn(Buffer, 'allocUnsafeSlow');
    try {
      for (let n = 0; n < 50_000; n++) {
        q.pushEvent(head(n), payload, 1);
        if (q.bytes > 1 << 20) q.dropOldest((1 << 20) * 0.75, dropped);
      }
      for (const r of spy.mock.results) buffers.add((r.value as Buffer).buffer);
    } finally {
      spy.mockRestore();
    }
    // 11 MB went through a 1 MiB bound: the same few chunks, not 45 fresh ones.
    expect(buffers.size).toBeLessThanOrEqual(8);
  });

  it('gives spare chunks back once the client is quiet', () => {
    const q = new FrameQueue();
    fill(q, 6);
    q.drain(
      () => undefined,
      () => true,
    );
    q.transportDrained();
    expect(q.spareCount).toBeGreaterThanOrEqual(4);
    q.trim(); // the busy stretch: kept
    expect(q.spareCount).toBeGreaterThanOrEqual(4);
    q.trim(); // a quiet one
    expect(q.spareCount).toBeLessThanOrEqual(1);
  });
});
