/**
 * Outbound.event: while the transport keeps up an event goes out as header + payload through
 * Connection.writeFrame; past the transport window it is built into a frame and queued, and goes
 * out on drain. Either way the bytes on the wire and the counters are the same.
 */
import { Outbound, TRANSPORT_WINDOW_BYTES } from '../../gateway/core/outbound';
import { ENTRY_OVERHEAD_BYTES } from '../../gateway/core/frame-queue';
import { GatewayStats } from '../../gateway/core/stats';
import { encodeFrameHead } from '../../gateway/protocol/frames';
import { encodeHeaderInto } from '../../gateway/protocol/header-codec';
import { M } from '../../gateway/protocol/messages';
import type { Connection } from '../../gateway/transport/transport';

function fakeConn() {
  const wire: Buffer[] = [];
  let drain: () => void = () => undefined;
  const conn = {
    pending: 0,
    get pendingBytes() {
      return conn.pending;
    },
    write: (chunk: Uint8Array) => wire.push(Buffer.from(chunk)),
    writeFrame: (head: Uint8Array, payload: Uint8Array) => wire.push(encodeFrameHead(head, payload)),
    onData: () => undefined,
    onClose: () => undefined,
    onDrain: (h: () => void) => void (drain = h),
    close: () => undefined,
    destroy: () => undefined,
    remoteAddress: 'test',
    remoteIdentity: undefined,
    rttMs: () => undefined,
    wire,
    drain: () => drain(),
  };
  return conn;
}

const head = Buffer.from(encodeHeaderInto([M.EVENT, 7, 'be.test.topic', 'pub-1', 'gw-a', 0]));
const payload = Buffer.alloc(200, 9);

/** An Outbound on a fake connection, with its counters, a spy on writeFrame and what it told. */
function outbound() {
  const conn = fakeConn();
  const stats = new GatewayStats();
  const writeFrame = jest.spyOn(conn, 'writeFrame');
  const told: number[] = [];
  const out = new Outbound(
    conn as unknown as Connection,
    BOUND,
    (counts) => told.push(...counts.values()),
    undefined,
    undefined,
    stats,
  );
  return { conn, stats, writeFrame, out, told };
}

const BOUND = 1 << 20;
const FRAME = 8 + head.length + payload.length + ENTRY_OVERHEAD_BYTES;

describe('Outbound.event', () => {
  it('writes header and payload straight through while the transport keeps up, counted as a frame', () => {
    const { conn, stats, writeFrame, out } = outbound();
    out.event(head, payload, 7);
    expect(writeFrame).toHaveBeenCalledWith(head, payload);
    expect(conn.wire[0].equals(encodeFrameHead(head, payload))).toBe(true);
    expect(stats.messagesOut[M.EVENT]).toBe(1);
    expect(stats.bytesOut[M.EVENT]).toBe(8 + head.length + payload.length);
  });

  it('past the transport window builds the frame, queues it and sends it on drain, byte for byte', () => {
    const { conn, stats, writeFrame, out } = outbound();
    conn.pending = TRANSPORT_WINDOW_BYTES;
    const callersHead = Buffer.from(head);
    out.event(callersHead, payload, 7);
    callersHead.fill(0); // the caller reuses its header buffer: the queued frame is a copy
    expect(conn.wire).toHaveLength(0);
    // Queued bytes count the frame and its bookkeeping (frame-queue.ts).
    expect(out.depthBytes).toBe(
      TRANSPORT_WINDOW_BYTES + 8 + head.length + payload.length + ENTRY_OVERHEAD_BYTES,
    );
    conn.pending = 0;
    conn.drain();
    expect(writeFrame).not.toHaveBeenCalled();
    expect(conn.wire[0].equals(encodeFrameHead(head, payload))).toBe(true);
    expect(stats.bytesOut[M.EVENT]).toBe(8 + head.length + payload.length);
  });

  it('counts a frame given as header and payload exactly as the same frame whole', () => {
    const whole = new GatewayStats();
    const parts = new GatewayStats();
    for (const [h, p] of [
      [head, payload],
      [Buffer.from(encodeHeaderInto([M.RESULT, 3, null])), Buffer.alloc(0)],
    ] as const) {
      whole.countOut(encodeFrameHead(h, p));
      parts.countOutParts(h, p.length);
    }
    expect([...parts.messagesOut]).toEqual([...whole.messagesOut]);
    expect([...parts.bytesOut]).toEqual([...whole.bytesOut]);
  });

  it('a client that takes nothing across two drop passes costs a counter per event until it drains', () => {
    const { conn, stats, out, told } = outbound();
    conn.pending = TRANSPORT_WINDOW_BYTES; // the transport is full and the client reads nothing
    const perPass = Math.ceil(BOUND / 4 / FRAME); // a drop pass goes down to 3/4 of the bound
    const fill = Math.ceil(BOUND / FRAME) + 2 * perPass; // past the bound, then two more passes
    for (let i = 0; i < fill; i++) out.event(head, payload, 7);
    const queued = out.depthBytes;
    const counted = stats.messagesOut[M.EVENT];
    const dropped = out.droppedTotal;
    expect(queued - TRANSPORT_WINDOW_BYTES).toBeLessThanOrEqual(BOUND);
    expect(dropped).toBeGreaterThan(0);
    // Stalled: further events are neither queued nor counted as sent, only as dropped.
    for (let i = 0; i < 10_000; i++) out.event(head, payload, 7);
    expect(out.depthBytes).toBe(queued);
    expect(stats.messagesOut[M.EVENT]).toBe(counted);
    expect(out.droppedTotal).toBe(dropped + 10_000);
    // It reads again: what waited goes out, it is told everything it missed, and events flow.
    conn.pending = 0;
    conn.drain();
    expect(conn.wire.length).toBeGreaterThan(0);
    expect(told.reduce((a, b) => a + b, 0)).toBe(out.droppedTotal);
    const before = out.droppedTotal;
    for (let i = 0; i < 1000; i++) out.event(head, payload, 7);
    expect(out.droppedTotal).toBe(before);
  });

  it('a client that reads, however slowly, keeps getting the newest events queued', () => {
    const { conn, out } = outbound();
    conn.pending = TRANSPORT_WINDOW_BYTES;
    conn.write = (chunk: Uint8Array) => (conn.pending += chunk.length); // what it takes stays pending
    const perPass = Math.ceil(BOUND / 4 / FRAME);
    for (let pass = 0; pass < 16; pass++) {
      for (let i = 0; i < perPass + 10; i++) out.event(head, payload, 7);
      // Between drop passes the transport takes a little, and the queue refills it.
      conn.pending = TRANSPORT_WINDOW_BYTES - 10 * FRAME;
      out.event(head, payload, 7);
      conn.pending = TRANSPORT_WINDOW_BYTES;
    }
    expect(out.droppedTotal).toBeGreaterThan(2 * perPass); // the bound was passed again and again
    const queued = out.depthBytes;
    out.event(head, payload, 7);
    expect(out.depthBytes).toBeGreaterThan(queued);
  });
});
