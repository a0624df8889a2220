import fc from 'fast-check';
import { CHUNK_BYTES, FrameArena } from '../../gateway/mesh/frame-arena';
import { decodeDataFrameBytes } from '../../gateway/mesh/data-frame';
import { PeerLink, type MeshMessage } from '../../gateway/mesh/link';
import type { Connection } from '../../gateway/transport/transport';

/** Fill a frame with bytes derived from its sequence number, so any overwrite shows. */
function stamp(frame: Buffer, seq: number): void {
  for (let i = 0; i < frame.length; i++) frame[i] = (seq * 31 + i) & 0xff;
}
function intact(frame: Buffer, seq: number): boolean {
  for (let i = 0; i < frame.length; i++) if (frame[i] !== ((seq * 31 + i) & 0xff)) return false;
  return true;
}

describe('FrameArena', () => {
  it('cuts frames one after another from one chunk', () => {
    const arena = new FrameArena();
    const a = arena.alloc(100, 1);
    const b = arena.alloc(50, 2);
    expect(a.length).toBe(100);
    expect(b.length).toBe(50);
    expect(b.buffer).toBe(a.buffer);
    expect(b.byteOffset).toBe(a.byteOffset + 100);
    expect(arena.heldBytes).toBe(CHUNK_BYTES);
  });

  it('reuses a chunk once its last frame is acknowledged, not before', () => {
    const arena = new FrameArena();
    const size = CHUNK_BYTES / 4;
    const first = [1, 2, 3, 4].map((seq) => arena.alloc(size, seq));
    arena.alloc(size, 5); // second chunk
    arena.release(3);
    expect(arena.alloc(size, 6).buffer).not.toBe(first[0].buffer); // the first chunk still holds 4
    arena.release(4);
    arena.alloc(size, 7);
    arena.alloc(size, 8); // second chunk full: the next frame goes to a fresh one, the spare
    expect(arena.alloc(size, 9).buffer).toBe(first[0].buffer);
  });

  it('never overwrites a frame that is not acknowledged (random allocations and acknowledgements)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ alloc: fc.integer({ min: 1, max: CHUNK_BYTES + 1000 }) }),
            fc.record({ ack: fc.nat(40) }),
            fc.record({ forget: fc.nat(40) }),
          ),
          { maxLength: 60 },
        ),
        (ops) => {
          const arena = new FrameArena();
          let seq = 0;
          let acked = 0;
          let forgotten = 0;
          const live: Array<{ seq: number; frame: Buffer }> = [];
          for (const op of ops) {
            if ('alloc' in op) {
              const frame = arena.alloc(op.alloc, ++seq);
              stamp(frame, seq);
              live.push({ seq, frame });
            } else if ('ack' in op) {
              acked = Math.min(seq, Math.max(acked, op.ack));
              arena.release(acked);
            } else {
              forgotten = Math.min(seq, Math.max(forgotten, op.forget));
              arena.forget(forgotten);
            }
            for (const f of live) if (f.seq > acked) expect(intact(f.frame, f.seq)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never reuses a forgotten chunk (a queued write may still read it), even once acknowledged', () => {
    const arena = new FrameArena();
    const size = CHUNK_BYTES / 2;
    const given = [arena.alloc(size, 1), arena.alloc(size, 2)];
    given.forEach((f, i) => stamp(f, i + 1));
    arena.alloc(size, 3);
    arena.forget(2);
    arena.release(3);
    for (let seq = 4; seq < 40; seq++) stamp(arena.alloc(size, seq), seq);
    given.forEach((f, i) => expect(intact(f, i + 1)).toBe(true));
  });

  it('cuts a frame as an offset into its chunk, the same bytes alloc would give', () => {
    const arena = new FrameArena();
    const chunk = arena.cut(10, 1);
    expect(arena.cutAt).toBe(0);
    expect(arena.cut(20, 2)).toBe(chunk);
    expect(arena.cutAt).toBe(10);
    const view = arena.alloc(5, 3);
    expect(view.buffer).toBe(chunk.buffer);
    expect(view.byteOffset).toBe(chunk.byteOffset + 30);
  });

  it('keeps as many spares as its busiest moment needed, and gives them back once idle', () => {
    const arena = new FrameArena();
    const size = CHUNK_BYTES / 2;
    // A burst: 40 chunks in use at once, then all acknowledged.
    const buffers = new Set<ArrayBufferLike>();
    for (let seq = 1; seq <= 80; seq++) buffers.add(arena.alloc(size, seq).buffer);
    arena.release(80);
    expect(arena.spareCount).toBe(40);
    // The same burst again reuses every chunk: no new memory, nothing left for the collector.
    for (let seq = 81; seq <= 160; seq++) expect(buffers.has(arena.alloc(size, seq).buffer)).toBe(true);
    arena.release(160);
    arena.trim(); // the period that had the bursts: spares kept
    expect(arena.spareCount).toBe(40);
    arena.trim(); // a quiet period: back to a few
    expect(arena.spareCount).toBeLessThanOrEqual(4);
  });

  it('gives a frame larger than a chunk a chunk of its own', () => {
    const arena = new FrameArena();
    const big = arena.alloc(CHUNK_BYTES * 2, 1);
    expect(big.length).toBe(CHUNK_BYTES * 2);
    expect(arena.alloc(10, 2).buffer).not.toBe(big.buffer);
  });
});

/** A connection that records what was written. */
function recordingConn(): Connection & { written: Buffer[] } {
  const written: Buffer[] = [];
  return {
    written,
    write: (chunk: Uint8Array) => written.push(Buffer.from(chunk)),
    writeFrame: () => {
      throw new Error('a mesh link writes whole frames');
    },
    pendingBytes: 0,
    onData: () => undefined,
    onClose: () => undefined,
    onDrain: () => undefined,
    close: () => undefined,
    destroy: () => undefined,
    remoteAddress: 'test',
    remoteIdentity: undefined,
    rttMs: () => undefined,
  };
}

/**
 * A connection that keeps the very buffers it was handed, as a backed-up socket or an in-flight
 * native write does, next to copies taken at the time: any later change to them shows.
 */
function holdingConn(): Connection & { held: Buffer[]; copies: Buffer[] } {
  const held: Buffer[] = [];
  const copies: Buffer[] = [];
  return {
    ...recordingConn(),
    held,
    copies,
    write: (chunk: Uint8Array) => {
      held.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      copies.push(Buffer.from(chunk));
    },
  };
}

function untouched(conn: { held: Buffer[]; copies: Buffer[] }): boolean {
  return conn.held.every((b, i) => b.equals(conn.copies[i]));
}

function message(i: number, payloadBytes: number): MeshMessage {
  return {
    origin: 'gw-a',
    originEpoch: 1,
    msgId: i,
    hops: 0,
    pubSeq: 0,
    dests: ['gw-b'],
    destSeqs: [i],
    body: [1, 'energy.price.updated'],
    payload: Buffer.alloc(payloadBytes, i & 0xff),
  };
}

describe('PeerLink frames in its arena', () => {
  it('replays exactly the unacknowledged frames, intact after chunks were reused', () => {
    const link = new PeerLink('gw-b', 64 * 1024 * 1024);
    const first = recordingConn();
    link.attach(first, 0);
    // About 40 chunks' worth, acknowledged as it goes except the last 300 messages.
    const total = 5000;
    for (let i = 1; i <= total; i++) {
      link.send(message(i, 2000));
      if (i % 100 === 0 && i <= total - 300) link.acked(i);
    }
    link.detach();
    const second = recordingConn();
    link.attach(second, total - 300);
    expect(second.written).toHaveLength(300);
    second.written.forEach((frame, k) => expect(frame.equals(first.written[total - 300 + k])).toBe(true));
  });

  it('hands back messages to reroute as copies that later traffic cannot overwrite', () => {
    const link = new PeerLink('gw-b', 64 * 1024 * 1024);
    link.attach(recordingConn(), 0);
    for (let i = 1; i <= 10; i++) link.send(message(i, 1000));
    link.detach();
    const taken = link.takeUnacked(() => true);
    expect(taken.map((m) => m.msgId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    link.attach(recordingConn(), 0);
    for (let i = 11; i <= 1000; i++) {
      link.send(message(i, 1000));
      link.acked(i);
    }
    taken.forEach((m, k) => expect(m.payload.equals(Buffer.alloc(1000, (k + 1) & 0xff))).toBe(true));
  });

  it('splits a message bound for a reachable and an unreachable gateway: the reachable part is rerouted, the replay names only the other', () => {
    const link = new PeerLink('gw-b', 64 * 1024 * 1024);
    link.attach(recordingConn(), 0);
    const both = (i: number): MeshMessage => ({
      ...message(i, 300),
      dests: ['gw-b', 'gw-c', 'gw-d'],
      destSeqs: [i, 100 + i, 200 + i],
    });
    for (let i = 1; i <= 3; i++) link.send(both(i));
    link.send(message(4, 300)); // only for gw-b, which is cut off: stays whole
    link.detach();
    const taken = link.takeUnacked((dest) => dest !== 'gw-b');
    expect(taken.map((m) => [m.msgId, m.dests, m.destSeqs])).toEqual([
      [1, ['gw-c', 'gw-d'], [101, 201]],
      [2, ['gw-c', 'gw-d'], [102, 202]],
      [3, ['gw-c', 'gw-d'], [103, 203]],
    ]);
    taken.forEach((m, k) => expect(m.payload.equals(Buffer.alloc(300, (k + 1) & 0xff))).toBe(true));
    // The link comes back: its replay brings gw-b its share of all four, and nothing for the others.
    const again = recordingConn();
    link.attach(again, 0);
    const replayed = again.written.map((f) => decodeDataFrameBytes(f));
    expect(replayed.map((m) => [m.msgId, m.dests, m.destSeqs])).toEqual([
      [1, ['gw-b'], [1]],
      [2, ['gw-b'], [2]],
      [3, ['gw-b'], [3]],
      [4, ['gw-b'], [4]],
    ]);
    replayed.forEach((m, k) => expect(m.payload.equals(Buffer.alloc(300, (k + 1) & 0xff))).toBe(true));
  });

  it('refuses past the bound while down without keeping the refused frames', () => {
    const link = new PeerLink('gw-b', 10_000);
    link.attach(recordingConn(), 0);
    link.detach();
    let accepted = 0;
    for (let i = 1; i <= 2000; i++) if (link.send(message(i, 1000))) accepted++;
    expect(accepted).toBeLessThan(10);
    expect(link.overflowDropped).toBe(2000 - accepted);
    expect(link.pendingBytes).toBeLessThanOrEqual(10_000);
    // 2 MB were refused: none of it may stay cut from the arena.
    expect(link.arenaBytes).toBeLessThanOrEqual(CHUNK_BYTES);
  });

  it('past the bound while connected, evicted frames leave the arena (memory stays bounded)', () => {
    const link = new PeerLink('gw-b', 200_000);
    link.attach(recordingConn(), 0);
    for (let i = 1; i <= 20_000; i++) link.send(message(i, 1000)); // 20 MB, never acknowledged
    expect(link.replayEvicted).toBeGreaterThan(19_000);
    expect(link.pendingBytes).toBeLessThanOrEqual(200_000);
    expect(link.arenaBytes).toBeLessThanOrEqual(200_000 + 2 * CHUNK_BYTES);
  });

  it('a replaced connection that is still flushing never sees its frames reused', () => {
    // W carries 1..100 and the neighbour gets 1..40; X replays 41..100 but is backed up and
    // replaced by Y, over which the neighbour acknowledges everything, while X still holds its
    // writes. Traffic on Y must not be cut from the chunks X is still sending from.
    const link = new PeerLink('gw-b', 64 * 1024 * 1024);
    link.attach(recordingConn(), 0);
    for (let i = 1; i <= 100; i++) link.send(message(i, 3000));
    link.detach();
    const x = holdingConn();
    link.attach(x, 40);
    expect(x.held).toHaveLength(60);
    link.detach();
    link.attach(recordingConn(), 100);
    for (let i = 101; i <= 400; i++) {
      link.send(message(i, 3000));
      link.acked(i);
    }
    expect(untouched(x)).toBe(true);
  });

  it('ignores an acknowledgement beyond what was sent (it would free chunks still being written)', () => {
    const link = new PeerLink('gw-b', 64 * 1024 * 1024);
    const conn = holdingConn();
    link.attach(conn, 0);
    for (let i = 1; i <= 10; i++) link.send(message(i, 3000));
    link.acked(1e9);
    link.acked(Number.NaN);
    expect(link.pendingCount).toBe(10);
    for (let i = 11; i <= 200; i++) link.send(message(i, 3000));
    expect(untouched(conn)).toBe(true);
  });
});
