/**
 * Wire framing (gateway.md §2): every frame is
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

const packr = new Packr({ useRecords: false, moreTypes: false });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;
const PREFIX_BYTES = 8;

export type Header = unknown[];

export interface Frame {
  header: Header;
  /** Raw payload bytes (MessagePack), or an empty buffer. A view into the read buffer: copy to keep. */
  payload: Buffer;
}

const EMPTY = Buffer.alloc(0);

export function encodeFrame(header: Header, payload: Uint8Array = EMPTY): Buffer {
  const head = encodeHeaderInto(header);
  const out = Buffer.allocUnsafe(PREFIX_BYTES + head.length + payload.length);
  out.writeUInt32BE(head.length + payload.length, 0);
  out.writeUInt32BE(head.length, 4);
  head.copy(out, PREFIX_BYTES);
  if (payload.length > 0) out.set(payload, PREFIX_BYTES + head.length);
  return out;
}

export function encodePayload(value: unknown): Buffer {
  return value === undefined ? EMPTY : packr.pack(value);
}

export function decodePayload(bytes: Uint8Array): unknown {
  return bytes.length === 0 ? undefined : unpackr.unpack(bytes);
}

/**
 * Incremental decoder for one byte stream. Malformed or oversized input throws a GatewayError
 * (`protocol_error` / `frame_too_large`); the caller closes that one connection (gateway.md §4).
 */
export class FrameDecoder {
  private buffered: Buffer = EMPTY;

  constructor(private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /** Feed bytes; calls `onFrame` for each complete frame, in order. */
  push(chunk: Buffer, onFrame: (frame: Frame) => void): void {
    let buf = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    let offset = 0;
    while (buf.length - offset >= PREFIX_BYTES) {
      const bodyLength = buf.readUInt32BE(offset);
      const headLength = buf.readUInt32BE(offset + 4);
      if (bodyLength > this.maxFrameBytes) {
        throw new GatewayError('frame_too_large', `frame of ${bodyLength} bytes exceeds the limit of ${this.maxFrameBytes}`);
      }
      if (headLength === 0 || headLength > bodyLength) {
        throw new GatewayError('protocol_error', `bad frame: header length ${headLength}, body length ${bodyLength}`);
      }
      if (buf.length - offset < PREFIX_BYTES + bodyLength) break;
      const headStart = offset + PREFIX_BYTES;
      const payloadStart = headStart + headLength;
      const end = headStart + bodyLength;
      let header: unknown;
      try {
        header = decodeHeader(buf.subarray(headStart, payloadStart));
      } catch (err) {
        throw new GatewayError('protocol_error', `bad frame header: ${(err as Error).message}`);
      }
      if (!Array.isArray(header) || typeof header[0] !== 'number') {
        throw new GatewayError('protocol_error', 'bad frame header: expected an array starting with a message type');
      }
      offset = end;
      onFrame({ header, payload: buf.subarray(payloadStart, end) });
    }
    // Keep only the unread tail; copy it so the (possibly large) chunk can be collected.
    this.buffered = offset === buf.length ? EMPTY : Buffer.from(buf.subarray(offset));
    buf = EMPTY;
  }

  get bufferedBytes(): number {
    return this.buffered.length;
  }
}
