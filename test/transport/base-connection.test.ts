/**
 * BaseConnection's write queue, without a socket: what a flush hands to the transport. A test
 * subclass records every buffer its flush takes.
 */
import { BaseConnection } from '../../gateway/transport/base-connection';

class Recorder extends BaseConnection {
  readonly remoteAddress = 'test';
  readonly remoteIdentity = undefined;
  readonly handed: Buffer[] = [];
  get pendingBytes(): number {
    return this.queuedBytes;
  }
  protected flush(): void {
    const buf = this.takeQueued();
    if (buf) this.handed.push(buf);
  }
  close(): void {}
  destroy(): void {}
  rttMs(): number | undefined {
    return undefined;
  }
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('BaseConnection flush', () => {
  it('hands over chunks that lie back to back in one buffer as one view, without copying', async () => {
    const conn = new Recorder();
    const arena = Buffer.from(Array.from({ length: 1000 }, (_, i) => i & 0xff));
    conn.write(arena.subarray(0, 100));
    conn.write(arena.subarray(100, 300));
    conn.write(arena.subarray(300, 350));
    await turn();
    expect(conn.handed).toHaveLength(1);
    const [out] = conn.handed;
    expect(out.buffer).toBe(arena.buffer);
    expect(out.byteOffset).toBe(arena.byteOffset);
    expect(out.equals(arena.subarray(0, 350))).toBe(true);
  });

  it('copies chunks that are not back to back, in the order written', async () => {
    const conn = new Recorder();
    const a = Buffer.from(Array.from({ length: 100 }, (_, i) => i));
    conn.write(a.subarray(10, 20));
    conn.write(a.subarray(0, 10)); // adjacent in memory, but before the first one
    conn.write(a.subarray(30, 40)); // a gap
    await turn();
    const [out] = conn.handed;
    const expected = Buffer.concat([a.subarray(10, 20), a.subarray(0, 10), a.subarray(30, 40)]);
    expect(out.equals(expected)).toBe(true);
    a.fill(0); // a copy does not change with the chunks it was made from
    expect(out.equals(expected)).toBe(true);
  });

  it('an idle connection keeps no staging buffer: a lone frame goes out in a small one', async () => {
    const conn = new Recorder();
    // Watch the sizes asked for: the handed buffer's backing store says nothing on its own, since
    // Node pools small allocations (8 KiB on Node 20, 64 KiB on Node 26).
    const asked: number[] = [];
    const allocUnsafe = jest.spyOn(Buffer, 'allocUnsafe').mockImplementation(function (
      this: unknown,
      n: number,
    ) {
      asked.push(n);
      return Buffer.alloc(n);
    } as typeof Buffer.allocUnsafe);
    try {
      conn.writeFrame(Buffer.alloc(20, 1), Buffer.alloc(200, 2));
      await turn();
    } finally {
      allocUnsafe.mockRestore();
    }
    expect(conn.handed[0].length).toBe(228);
    // A small stage, not a 64 KiB one, and none kept once it was flushed.
    expect(Math.max(...asked)).toBeLessThanOrEqual(1024);
    expect((conn as unknown as { stage?: Buffer }).stage).toBeUndefined();
  });

  it('stages grow with the traffic, so a busy flush hands over a single region', async () => {
    const conn = new Recorder();
    for (let round = 0; round < 8; round++) {
      for (let i = 0; i < 200; i++) conn.writeFrame(Buffer.alloc(20, i), Buffer.alloc(200, round));
      await turn();
    }
    const last = conn.handed[conn.handed.length - 1];
    expect(last.length).toBe(200 * 228);
    // One stage held the whole flush: the buffer handed over is a region of it, not a concatenation.
    expect(last.buffer.byteLength).toBeGreaterThan(last.length);
  });
});
