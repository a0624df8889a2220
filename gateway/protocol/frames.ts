/**
 * Wire framing (docs/protocol.md §2): every frame is
 *
 *   u32 BE  body length (header + payload)
 *   u32 BE  header length
 *   header  MessagePack array, first element the message type
 *   payload the application payload, already MessagePack-encoded by the publishing client
 *
 * The gateway decodes only headers; payload bytes are forwarded untouched, so a publication is
 * never re-encoded on its way through one or several gateways.
 */
import { Packr, Unpackr } from 'msgpackr';
import { GatewayError } from './errors';
import { decodeHeader, encodeHeaderInto } from './header-codec';

// Records make arrays of same-shaped objects (home.traded's hours) about 2.4x smaller and faster;
// each payload carries its own record definitions, so any MessagePack decoder with the msgpackr
// record extension reads it without shared state.
const packr = new Packr({ useRecords: true, moreTypes: false });
const unpackr = new Unpackr({ mapsAsObjects: true });

export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;
/** The u32 body length and u32 header length in front of every frame. */
export const PREFIX_BYTES = 8;

export type Header = unknown[];

export interface Frame {
  header: Header;
  /** Raw payload bytes (MessagePack), or an empty buffer. A view into the read buffer: copy to keep. */
  payload: Buffer;
  /** Size of the whole frame on the wire, prefix included (for byte counters). */
  bytes?: number;
}

/**
 * The message type of an encoded frame, read from its bytes: every header is a short MessagePack
 * array (fixarray, under 16 elements) whose first element is a positive fixint.
 */
export function frameType(frame: Uint8Array): number {
  return headType(frame, PREFIX_BYTES);
}

/** frameType of an encoded header starting at `at` (0: a header on its own). */
export function headType(bytes: Uint8Array, at = 0): number {
  return bytes[at] >= 0x90 && bytes[at] <= 0x9f ? bytes[at + 1] & 63 : 0;
}

const EMPTY = Buffer.alloc(0);

export function encodeFrame(header: Header, payload: Uint8Array = EMPTY): Buffer {
  return encodeFrameHead(encodeHeaderInto(header), payload);
}

/** A frame from an already-encoded header (callers cache headers that repeat). */
export function encodeFrameHead(head: Uint8Array, payload: Uint8Array = EMPTY): Buffer {
  const out = Buffer.allocUnsafe(PREFIX_BYTES + head.length + payload.length);
  putFrame(out, 0, head, payload);
  return out;
}

/** Write the frame of `head` and `payload` into `out` at `at`; returns where it ends. */
export function putFrame(out: Buffer, at: number, head: Uint8Array, payload: Uint8Array): number {
  out.writeUInt32BE(head.length + payload.length, at);
  out.writeUInt32BE(head.length, at + 4);
  out.set(head, at + PREFIX_BYTES);
  at += PREFIX_BYTES + head.length;
  if (payload.length > 0) out.set(payload, at);
  return at + payload.length;
}

/**
 * An app payload encoded ahead (`encodeOnce`), sent as its bytes: an answer given to many callers
 * is encoded once instead of once per call. The receiver decodes it like any other payload.
 */
export class EncodedPayload {
  constructor(readonly bytes: Buffer) {}
}

export const encodeOnce = (value: unknown): EncodedPayload => new EncodedPayload(encodePayload(value));

/** MessagePack-encode an app payload. Raw bytes take a direct path (a `bin` header, no copy loop). */
export function encodePayload(value: unknown): Buffer {
  if (value === undefined) return EMPTY;
  if (value instanceof EncodedPayload) return value.bytes;
  if (value instanceof Uint8Array) return encodeBin(value);
  return packr.pack(value);
}

function encodeBin(bytes: Uint8Array): Buffer {
  const n = bytes.length;
  const prefix = n < 256 ? 2 : n < 65536 ? 3 : 5;
  const out = Buffer.allocUnsafe(prefix + n);
  if (prefix === 2) {
    out[0] = 0xc4;
    out[1] = n;
  } else if (prefix === 3) {
    out[0] = 0xc5;
    out.writeUInt16BE(n, 1);
  } else {
    out[0] = 0xc6;
    out.writeUInt32BE(n, 1);
  }
  out.set(bytes, prefix);
  return out;
}

export function decodePayload(bytes: Uint8Array): unknown {
  if (bytes.length === 0) return undefined;
  // A payload that is exactly one `bin` value comes back as a Buffer copy, without a decoder pass.
  const t = bytes[0];
  const prefix = t === 0xc4 ? 2 : t === 0xc5 ? 3 : t === 0xc6 ? 5 : 0;
  if (prefix > 0 && bytes.length >= prefix) {
    const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = prefix === 2 ? view[1] : prefix === 3 ? view.readUInt16BE(1) : view.readUInt32BE(1);
    if (prefix + n === bytes.length) return Buffer.from(view.subarray(prefix));
  }
  return unpackr.unpack(bytes);
}

/**
 * Incremental decoder for one byte stream. Malformed or oversized input throws a GatewayError
 * (`protocol_error` / `frame_too_large`); the caller closes that one connection (docs/protocol.md §4).
 */
/** MessagePack's marker of a uint32 (four big-endian bytes follow). */
const UINT32 = 0xce;
/** A header compared with the previous one (FrameDecoder.againstLast). */
const DIFFERENT = 0;
const SAME = 1;
const SAME_BUT_LAST_UINT32 = 2;

export class FrameDecoder {
  private buffered: Buffer = EMPTY;
  // Streams repeat headers (same topic, same publisher): when a header's bytes equal the previous
  // one's, the decoded array is reused. Headers are therefore read-only for every consumer. An
  // EVENT of a tracked publication differs from the one before only in its last field, a uint32
  // pubSeq (docs/protocol.md §2, republish): then the previous array is copied with that one field.
  private lastHeadBytes: Buffer = Buffer.alloc(256);
  private lastHeadLength = -1;
  /** The frame being assembled across chunks, allocated at its full size. */
  private pending: Buffer | undefined;
  private pendingFilled = 0;
  private lastHeader: unknown[] = [];

  constructor(public maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /** Feed bytes; calls `onFrame` for each complete frame, in order. */
  push(chunk: Buffer, onFrame: (frame: Frame) => void): void {
    // A frame split across chunks is assembled in one buffer of its final size, allocated once its
    // length is known: each piece is copied once (never the whole partial frame again per piece),
    // and a large chunk is never copied as a whole.
    if (this.pending) {
      const take = Math.min(this.pending.length - this.pendingFilled, chunk.length);
      chunk.copy(this.pending, this.pendingFilled, 0, take);
      this.pendingFilled += take;
      chunk = chunk.subarray(take);
      if (this.pendingFilled < this.pending.length) return;
      const frame = this.pending;
      this.pending = undefined;
      this.pendingFilled = 0;
      this.parse(frame, onFrame);
    }
    if (this.buffered.length > 0) {
      // Fewer than 8 bytes of a prefix so far.
      const take = Math.min(PREFIX_BYTES - this.buffered.length, chunk.length);
      this.buffered = Buffer.concat([this.buffered, chunk.subarray(0, take)]);
      chunk = chunk.subarray(take);
      if (this.buffered.length < PREFIX_BYTES) return;
      const prefix = this.buffered;
      this.buffered = EMPTY;
      this.startPending(prefix, 0, PREFIX_BYTES);
      if (chunk.length > 0) this.push(chunk, onFrame);
      return;
    }
    if (chunk.length === 0) return;
    const offset = this.parse(chunk, onFrame);
    const rest = chunk.length - offset;
    if (rest === 0) return;
    if (rest < PREFIX_BYTES) this.buffered = Buffer.from(chunk.subarray(offset));
    else this.startPending(chunk, offset, rest);
  }

  /** Begin assembling the frame whose first `have` bytes are at `buf[offset..]`. */
  private startPending(buf: Buffer, offset: number, have: number): void {
    const body = this.checkPrefix(buf, offset);
    this.pending = Buffer.allocUnsafe(PREFIX_BYTES + body);
    buf.copy(this.pending, 0, offset, offset + have);
    this.pendingFilled = have;
  }

  /** Validates the 8-byte prefix at `offset`; returns the body length. */
  private checkPrefix(buf: Buffer, offset: number): number {
    const bodyLength = buf.readUInt32BE(offset);
    const headLength = buf.readUInt32BE(offset + 4);
    if (bodyLength > this.maxFrameBytes) {
      throw new GatewayError(
        'frame_too_large',
        `frame of ${bodyLength} bytes exceeds the limit of ${this.maxFrameBytes}`,
      );
    }
    if (headLength === 0 || headLength > bodyLength) {
      throw new GatewayError(
        'protocol_error',
        `bad frame: header length ${headLength}, body length ${bodyLength}`,
      );
    }
    return bodyLength;
  }

  /** Handles every complete frame in `buf`; returns where the first incomplete one starts. */
  private parse(buf: Buffer, onFrame: (frame: Frame) => void): number {
    let offset = 0;
    while (buf.length - offset >= PREFIX_BYTES) {
      const bodyLength = this.checkPrefix(buf, offset);
      if (buf.length - offset < PREFIX_BYTES + bodyLength) break;
      const headLength = buf.readUInt32BE(offset + 4);
      const headStart = offset + PREFIX_BYTES;
      const payloadStart = headStart + headLength;
      const end = headStart + bodyLength;
      let header: unknown;
      const seen =
        headLength === this.lastHeadLength ? this.againstLast(buf, headStart, payloadStart) : DIFFERENT;
      if (seen === SAME) {
        header = this.lastHeader;
      } else if (seen === SAME_BUT_LAST_UINT32) {
        const copy = this.lastHeader.slice();
        copy[copy.length - 1] = buf.readUInt32BE(payloadStart - 4);
        header = copy;
      } else {
        try {
          header = decodeHeader(buf.subarray(headStart, payloadStart));
        } catch (err) {
          throw new GatewayError('protocol_error', `bad frame header: ${(err as Error).message}`);
        }
        if (!Array.isArray(header) || typeof header[0] !== 'number') {
          throw new GatewayError(
            'protocol_error',
            'bad frame header: expected an array starting with a message type',
          );
        }
        if (headLength <= this.lastHeadBytes.length) {
          buf.copy(this.lastHeadBytes, 0, headStart, payloadStart);
          this.lastHeadLength = headLength;
          this.lastHeader = header;
        } else this.lastHeadLength = -1;
      }
      offset = end;
      onFrame({
        header: header as Header,
        payload: buf.subarray(payloadStart, end),
        bytes: PREFIX_BYTES + bodyLength,
      });
    }
    return offset;
  }

  /**
   * How the header at `buf[start..end)` (as long as the previous one) compares with it: the same
   * bytes, or the same but for a final MessagePack uint32 that is the previous array's last element
   * (not the end of a nested value), or different. One pass over the bytes in plain code: for
   * headers of a few dozen bytes that is cheaper than Buffer.compare's call into C++.
   */
  private againstLast(buf: Buffer, start: number, end: number): number {
    const last = this.lastHeadBytes;
    const n = end - start;
    const lastField = this.lastHeader[this.lastHeader.length - 1];
    const uint32Tail =
      n >= 6 && buf[end - 5] === UINT32 && last[n - 5] === UINT32 && lastField === last.readUInt32BE(n - 4);
    const fixed = uint32Tail ? n - 4 : n;
    for (let i = 0; i < fixed; i++) if (buf[start + i] !== last[i]) return DIFFERENT;
    if (!uint32Tail) return SAME;
    return buf.readUInt32BE(end - 4) === lastField ? SAME : SAME_BUT_LAST_UINT32;
  }

  get bufferedBytes(): number {
    return this.buffered.length + this.pendingFilled;
  }
}
