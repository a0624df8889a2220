/**
 * A small MessagePack codec for frame headers (docs/protocol.md §2), the hot path of every message.
 * Headers are short arrays of integers, strings, booleans, null and string arrays; this writes and
 * reads exactly those, straight into and out of the frame buffer, and caches the encoded bytes of
 * strings that repeat (topics, session and gateway ids). Anything outside that subset is handed to
 * msgpackr, so the wire format stays plain MessagePack either way.
 */
import { Packr, Unpackr } from 'msgpackr';

const packr = new Packr({ useRecords: false, moreTypes: false });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported();

const STRING_CACHE_MAX = 20_000;
/** Only short strings are cached: they are the ones that repeat (topics, ids). */
const CACHED_STRING_MAX = 160;
let stringCache = new Map<string, Buffer>();

function encodedString(s: string): Buffer {
  let b = stringCache.get(s);
  if (b) return b;
  const body = Buffer.from(s, 'utf8');
  const n = body.length;
  if (n < 32) b = Buffer.concat([Buffer.of(0xa0 | n), body]);
  else if (n < 256) b = Buffer.concat([Buffer.of(0xd9, n), body]);
  else if (n < 65536) b = Buffer.concat([Buffer.of(0xda, n >> 8, n & 0xff), body]);
  else throw UNSUPPORTED;
  if (s.length > CACHED_STRING_MAX) return b;
  if (stringCache.size >= STRING_CACHE_MAX) stringCache = new Map();
  stringCache.set(s, b);
  return b;
}

let scratch = Buffer.allocUnsafe(64 * 1024);

function writeValue(v: unknown, at: number): number {
  if (typeof v === 'number') {
    if (Number.isInteger(v)) {
      if (v >= 0) {
        if (v < 128) {
          scratch[at] = v;
          return at + 1;
        }
        if (v < 256) {
          scratch[at] = 0xcc;
          scratch[at + 1] = v;
          return at + 2;
        }
        if (v < 65536) {
          scratch[at] = 0xcd;
          scratch.writeUInt16BE(v, at + 1);
          return at + 3;
        }
        if (v < 4294967296) {
          scratch[at] = 0xce;
          scratch.writeUInt32BE(v, at + 1);
          return at + 5;
        }
      } else if (v >= -32) {
        scratch[at] = v & 0xff;
        return at + 1;
      } else if (v >= -2147483648) {
        scratch[at] = 0xd2;
        scratch.writeInt32BE(v, at + 1);
        return at + 5;
      }
    }
    // Larger integers (epochs in ms) go as float64, exact up to 2^53, as msgpackr does, so every
    // decoder reads them back as plain numbers.
    scratch[at] = 0xcb;
    scratch.writeDoubleBE(v, at + 1);
    return at + 9;
  }
  if (typeof v === 'string') {
    const b = encodedString(v);
    if (at + b.length > scratch.length) throw UNSUPPORTED;
    b.copy(scratch, at);
    return at + b.length;
  }
  if (v === null || v === undefined) {
    scratch[at] = 0xc0;
    return at + 1;
  }
  if (v === true || v === false) {
    scratch[at] = v ? 0xc3 : 0xc2;
    return at + 1;
  }
  if (Array.isArray(v)) return writeArray(v, at);
  throw UNSUPPORTED;
}

function writeArray(a: readonly unknown[], at: number): number {
  const n = a.length;
  if (n < 16) scratch[at++] = 0x90 | n;
  else if (n < 65536) {
    scratch[at] = 0xdc;
    scratch.writeUInt16BE(n, at + 1);
    at += 3;
  } else throw UNSUPPORTED;
  for (let i = 0; i < n; i++) {
    if (at + 16 > scratch.length) throw UNSUPPORTED;
    at = writeValue(a[i], at);
  }
  return at;
}

/** Encode `header` as MessagePack; returns a view of a shared scratch buffer (copy before reuse). */
export function encodeHeaderInto(header: readonly unknown[]): Buffer {
  try {
    return scratch.subarray(0, writeArray(header, 0));
  } catch (err) {
    if (err !== UNSUPPORTED) throw err;
    const packed = packr.pack(header);
    if (packed.length > scratch.length) scratch = Buffer.allocUnsafe(packed.length * 2);
    packed.copy(scratch, 0);
    return scratch.subarray(0, packed.length);
  }
}

// --- decoding -----------------------------------------------------------------------------------

let pos = 0;
let src: Buffer = Buffer.alloc(0);

function readValue(): unknown {
  const b = src[pos++];
  if (b < 0x80) return b;
  if ((b & 0xe0) === 0xa0) return readString(b & 0x1f);
  if ((b & 0xf0) === 0x90) return readArray(b & 0x0f);
  if (b >= 0xe0) return b - 256;
  switch (b) {
    case 0xc0:
      return null;
    case 0xc2:
      return false;
    case 0xc3:
      return true;
    case 0xcc:
      return src[pos++];
    case 0xcd:
      pos += 2;
      return src.readUInt16BE(pos - 2);
    case 0xce:
      pos += 4;
      return src.readUInt32BE(pos - 4);
    case 0xcf:
      pos += 8;
      return Number(src.readBigUInt64BE(pos - 8));
    case 0xd0:
      pos += 1;
      return src.readInt8(pos - 1);
    case 0xd1:
      pos += 2;
      return src.readInt16BE(pos - 2);
    case 0xd2:
      pos += 4;
      return src.readInt32BE(pos - 4);
    case 0xcb:
      pos += 8;
      return src.readDoubleBE(pos - 8);
    case 0xd9:
      return readString(src[pos++]);
    case 0xda:
      pos += 2;
      return readString(src.readUInt16BE(pos - 2));
    case 0xdc:
      pos += 2;
      return readArray(src.readUInt16BE(pos - 2));
    default:
      throw UNSUPPORTED;
  }
}

/**
 * The last string decoded at each byte length up to RECENT_MAX, with its bytes. A stream of events
 * repeats its topic, publisher, gateway and pubStream, usually of different lengths, so most
 * strings are found here by comparing a few bytes instead of being decoded again (a new string
 * each time cost the client about a third of its decoding).
 */
const RECENT_MAX = 48;
const recentBytes = Array.from({ length: RECENT_MAX + 1 }, (_, n) => new Uint8Array(n));
const recentStrings: (string | undefined)[] = new Array<string | undefined>(RECENT_MAX + 1);

function readString(n: number): string {
  const end = pos + n;
  if (end > src.length) throw UNSUPPORTED;
  if (n > RECENT_MAX) {
    const s = src.toString('utf8', pos, end);
    pos = end;
    return s;
  }
  const known = recentBytes[n];
  const cached = recentStrings[n];
  if (cached !== undefined) {
    let i = 0;
    while (i < n && known[i] === src[pos + i]) i++;
    if (i === n) {
      pos = end;
      return cached;
    }
  }
  const s = src.toString('utf8', pos, end);
  known.set(src.subarray(pos, end));
  recentStrings[n] = s;
  pos = end;
  return s;
}

function readArray(n: number): unknown[] {
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    if (pos >= src.length) throw UNSUPPORTED;
    out[i] = readValue();
  }
  return out;
}

/** Decode a header; throws on malformed input (the caller maps that to `protocol_error`). */
export function decodeHeader(bytes: Buffer): unknown {
  src = bytes;
  pos = 0;
  try {
    const v = readValue();
    if (pos === bytes.length) return v;
  } catch (err) {
    if (err !== UNSUPPORTED && !(err instanceof RangeError)) throw err;
  } finally {
    src = EMPTY;
  }
  // Outside the fast subset (or trailing bytes): let msgpackr decide, it reports malformed input.
  return unpackr.unpack(bytes);
}

const EMPTY = Buffer.alloc(0);
