/**
 * MESH_DATA frames (docs/protocol.md §3). The header carries what stays the same along a stream of
 * messages (origin, epoch, destinations, kind, topic, publisher), so both ends reuse it: the sender
 * re-sends cached header bytes and the receiver's decoder recognises them. What changes per
 * message (link sequence, message id, hop count, a publication's number in its client's stream,
 * and per destination the origin's sequence toward it) travels in a prefix of the payload, 25 bytes
 * plus 8 per destination in the header:
 *
 *   f64 BE link sequence | f64 BE message id | u8 hops | f64 BE pubSeq (0: none)
 *   | f64 BE per-destination sequence × dests | application payload
 *
 * pubSeq numbers a tracked publication within its client's pubStream, so a gateway can drop a
 * republished copy it already delivered (docs/protocol.md §2, republish).
 * The per-destination sequence lets a destination put back in order what came by different paths
 * after a heal (in-order.ts); 0 means "not ordered" (calls and results), a negative number that
 * the origin gave up an earlier one toward that destination. (f64 keeps integers exact
 * to 2^53, so no number wraps in a gateway's lifetime.)
 */
import { decodeHeader, encodeHeaderInto } from '../protocol/header-codec';
import { PREFIX_BYTES } from '../protocol/frames';
import { M } from '../protocol/messages';
import type { MeshMessage } from './link';

export const DATA_PREFIX_BYTES = 25;

/** Per-link encoder that reuses the last header when the stable fields repeat. */
export class DataFrameEncoder {
  private head: Buffer | undefined;
  private origin = '';
  private epoch = 0;
  private dests: readonly string[] | undefined;
  private body: unknown[] = [];

  /** The frame of `msg` as `seq`, in a Buffer of its own. */
  encode(seq: number, msg: MeshMessage): Buffer {
    const out = Buffer.allocUnsafe(this.frameSize(msg));
    this.writeInto(out, 0, seq, msg);
    return out;
  }

  /** Bytes the frame of `msg` takes; `writeInto` for the same message must follow. */
  frameSize(msg: MeshMessage): number {
    if (!this.sameHeader(msg)) {
      this.head = Buffer.from(
        encodeHeaderInto([M.MESH_DATA, msg.origin, msg.originEpoch, msg.dests, ...msg.body]),
      );
      this.origin = msg.origin;
      this.epoch = msg.originEpoch;
      this.dests = msg.dests;
      this.body = msg.body;
    }
    return (
      PREFIX_BYTES + this.head!.length + DATA_PREFIX_BYTES + 8 * msg.destSeqs.length + msg.payload.length
    );
  }

  /**
   * Writes the frame of `msg` as `seq` into `out` from `at` (a link writes into its arena chunk,
   * so no Buffer object is made per frame). `frameSize(msg)` must have been asked just before.
   */
  writeInto(out: Buffer, at: number, seq: number, msg: MeshMessage): void {
    const head = this.head!;
    const payload = msg.payload;
    const seqs = msg.destSeqs;
    const prefix = DATA_PREFIX_BYTES + 8 * seqs.length;
    out.writeUInt32BE(head.length + prefix + payload.length, at);
    out.writeUInt32BE(head.length, at + 4);
    out.set(head, at + PREFIX_BYTES);
    at += PREFIX_BYTES + head.length;
    out.writeDoubleBE(seq, at);
    out.writeDoubleBE(msg.msgId, at + 8);
    out[at + 16] = msg.hops;
    out.writeDoubleBE(msg.pubSeq, at + 17);
    at += DATA_PREFIX_BYTES;
    for (let i = 0; i < seqs.length; i++, at += 8) out.writeDoubleBE(seqs[i], at);
    if (payload.length > 0) out.set(payload, at);
  }

  private sameHeader(msg: MeshMessage): boolean {
    if (!this.head || msg.origin !== this.origin || msg.originEpoch !== this.epoch) return false;
    if (msg.dests !== this.dests && !sameStrings(msg.dests, this.dests!)) return false;
    const a = msg.body;
    const b = this.body;
    if (a === b) return true;
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
}

export function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// The frame decoder hands back the same header array while a stream repeats it; so can this.
let lastHeader: readonly unknown[] | undefined;
let lastBody: unknown[] = [];
function bodyOf(h: readonly unknown[]): unknown[] {
  if (h !== lastHeader) {
    lastHeader = h;
    lastBody = h.slice(4);
  }
  return lastBody;
}

/** Read a received MESH_DATA frame; undefined when it is malformed. */
export function decodeDataFrame(
  h: readonly unknown[],
  payload: Buffer,
): { seq: number; msg: MeshMessage } | undefined {
  if (h.length < 5) return undefined;
  const [, origin, originEpoch, dests] = h;
  if (typeof origin !== 'string' || typeof originEpoch !== 'number' || !Array.isArray(dests))
    return undefined;
  const prefix = DATA_PREFIX_BYTES + 8 * dests.length;
  if (payload.length < prefix) return undefined;
  const destSeqs = new Array<number>(dests.length);
  for (let i = 0; i < dests.length; i++) destSeqs[i] = payload.readDoubleBE(DATA_PREFIX_BYTES + 8 * i);
  return {
    seq: payload.readDoubleBE(0),
    msg: {
      origin,
      originEpoch,
      msgId: payload.readDoubleBE(8),
      hops: payload[16],
      pubSeq: payload.readDoubleBE(17),
      dests: dests as string[],
      destSeqs,
      body: bodyOf(h),
      payload: payload.subarray(prefix),
    },
  };
}

/** The message in a MESH_DATA frame this gateway encoded itself (so it is well-formed). */
export function decodeDataFrameBytes(frame: Buffer): MeshMessage {
  const headEnd = PREFIX_BYTES + frame.readUInt32BE(4);
  const decoded = decodeDataFrame(
    decodeHeader(frame.subarray(PREFIX_BYTES, headEnd)) as unknown[],
    frame.subarray(headEnd),
  );
  if (!decoded) throw new Error('mesh link: a buffered MESH_DATA frame does not decode');
  return decoded.msg;
}
