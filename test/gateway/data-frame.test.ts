/**
 * MESH_DATA frames (gateway/mesh/data-frame.ts) carry, per destination, the origin's sequence number
 * toward it; the encoder reuses its header across messages, so these must change per frame while
 * the header stays the same, and a frame too short for its destinations' numbers is malformed.
 */
import { DataFrameEncoder, decodeDataFrame, decodeDataFrameBytes } from '../../gateway/mesh/data-frame';
import type { MeshMessage } from '../../gateway/mesh/link';
import { K } from '../../gateway/protocol/messages';
import { decodeHeader } from '../../gateway/protocol/header-codec';
import { PREFIX_BYTES } from '../../gateway/protocol/frames';

const dests = ['g2', 'g3', 'g4'];
const body = [K.PUB, 'be.x', 'pub'];

function message(msgId: number, destSeqs: number[]): MeshMessage {
  return {
    origin: 'g1',
    originEpoch: 5,
    msgId,
    hops: 2,
    pubSeq: 0,
    dests,
    destSeqs,
    body,
    payload: Buffer.from(`m${msgId}`),
  };
}

describe('MESH_DATA frames', () => {
  it('carry each destination’s sequence number, frame after frame with the same header', () => {
    const enc = new DataFrameEncoder();
    const a = decodeDataFrameBytes(enc.encode(1, message(10, [4, 9, 2 ** 40])));
    const b = decodeDataFrameBytes(enc.encode(2, message(11, [5, 10, 2 ** 40 + 1])));
    expect([a.destSeqs, a.payload.toString(), a.msgId, a.hops]).toEqual([[4, 9, 2 ** 40], 'm10', 10, 2]);
    expect([b.destSeqs, b.payload.toString(), b.dests]).toEqual([[5, 10, 2 ** 40 + 1], 'm11', dests]);
  });

  it('is malformed when shorter than its destinations’ numbers', () => {
    const frame = new DataFrameEncoder().encode(1, { ...message(1, [1, 2, 3]), payload: Buffer.alloc(0) });
    const headEnd = PREFIX_BYTES + frame.readUInt32BE(4);
    const header = decodeHeader(frame.subarray(PREFIX_BYTES, headEnd)) as unknown[];
    expect(decodeDataFrame(header, frame.subarray(headEnd))).toBeDefined();
    expect(decodeDataFrame(header, frame.subarray(headEnd, frame.length - 1))).toBeUndefined();
  });
});
