/**
 * The records of the durable log (docs/loss.md "Durable subscriptions across a crash") and their
 * framing on disk: `[length u32][crc32 u32][msgpack body]`, little-endian. The checksum covers the
 * body, so a record torn by a crash mid-write, or bytes the disk garbled, are told apart from a
 * good one and the log is cut there instead of being misread.
 */
import { crc32 } from 'node:zlib';
import { Packr } from 'msgpackr';

/** Record kinds (first element of the body). */
export const R = {
  /** A subscription's definition and position: created, acknowledged, dropped, or a segment's snapshot. */
  STATE: 1,
  /** One event kept for a subscription. */
  EVENT: 2,
  /** The subscription was removed (unsubscribed or expired). */
  REMOVE: 3,
  /** End of a batch: what came before it is complete; it carries the mesh links' positions. */
  COMMIT: 4,
} as const;

export interface StateRecord {
  name: string;
  pattern: string;
  owner: string;
  /** Every event up to this sequence is acknowledged or dropped. */
  floor: number;
  /** Highest sequence given out so far (the next event gets lastSeq + 1). */
  lastSeq: number;
  overflow: number;
  overflowTotal: number;
  /** The subscription's epoch (a trailing field: undefined in a log written before it existed). */
  epoch: string | undefined;
}

export interface EventRecord {
  name: string;
  seq: number;
  topic: string;
  publisher: string;
  gatewayId: string;
  payload: Buffer;
  /**
   * The publication's (pubStream, pubSeq) when it was tracked, so a replay after a restart still
   * carries it to the client (docs/protocol.md §2, republish); trailing fields, null and 0 in a log
   * written before them.
   */
  stream: string | null;
  pubSeq: number;
}

/** How far this gateway has received (and made durable) what a neighbour sent on its link. */
export interface LinkPosition {
  peer: string;
  epoch: number;
  seq: number;
}

export type LogRecord =
  | { kind: typeof R.STATE; state: StateRecord }
  | { kind: typeof R.EVENT; event: EventRecord }
  | { kind: typeof R.REMOVE; name: string }
  | { kind: typeof R.COMMIT; links: LinkPosition[] };

export const RECORD_HEADER_BYTES = 8;
/** A record longer than this is not one (a garbled length), whatever its checksum. */
const MAX_RECORD_BYTES = 256 * 1024 * 1024;

const packr = new Packr({ useRecords: false });

/**
 * One record as its header and body, written as two pieces: copying the body (an event's payload)
 * into one buffer with its header would cost a copy per event. msgpackr never writes over a buffer
 * it returned, so the body can wait for its batch as it is.
 */
export type EncodedRecord = [Buffer, Buffer];

function frame(body: Buffer): EncodedRecord {
  const head = Buffer.allocUnsafe(RECORD_HEADER_BYTES);
  head.writeUInt32LE(body.length, 0);
  head.writeUInt32LE(crc32(body), 4);
  return [head, body];
}

export function encodeState(s: StateRecord): EncodedRecord {
  return frame(
    packr.pack([
      R.STATE,
      s.name,
      s.pattern,
      s.owner,
      s.floor,
      s.lastSeq,
      s.overflow,
      s.overflowTotal,
      s.epoch ?? null,
    ]),
  );
}

export function encodeEvent(e: EventRecord): EncodedRecord {
  return frame(
    packr.pack([R.EVENT, e.name, e.seq, e.topic, e.publisher, e.gatewayId, e.payload, e.stream, e.pubSeq]),
  );
}

export function encodeRemove(name: string): EncodedRecord {
  return frame(packr.pack([R.REMOVE, name]));
}

export function encodeCommit(links: LinkPosition[]): EncodedRecord {
  return frame(packr.pack([R.COMMIT, links.map((l) => [l.peer, l.epoch, l.seq])]));
}

const str = (v: unknown): v is string => typeof v === 'string';
const num = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The record a checked body holds, or undefined when its fields are not what a record has. */
function decodeBody(body: Buffer): LogRecord | undefined {
  const b = packr.unpack(body) as unknown[];
  if (!Array.isArray(b)) return undefined;
  switch (b[0]) {
    case R.STATE: {
      const [, name, pattern, owner, floor, lastSeq, overflow, overflowTotal, epochField] = b;
      if (!str(name) || !str(pattern) || !str(owner)) return undefined;
      if (!num(floor) || !num(lastSeq) || !num(overflow) || !num(overflowTotal)) return undefined;
      const epoch = str(epochField) ? epochField : undefined;
      return {
        kind: R.STATE,
        state: { name, pattern, owner, floor, lastSeq, overflow, overflowTotal, epoch },
      };
    }
    case R.EVENT: {
      const [, name, seq, topic, publisher, gatewayId, payload, streamField, pubSeqField] = b;
      if (!str(name) || !num(seq) || !str(topic) || !str(publisher) || !str(gatewayId)) return undefined;
      if (!(payload instanceof Uint8Array)) return undefined;
      const tracked = str(streamField) && num(pubSeqField);
      return {
        kind: R.EVENT,
        event: {
          name,
          seq,
          topic,
          publisher,
          gatewayId,
          payload: Buffer.from(payload),
          stream: tracked ? streamField : null,
          pubSeq: tracked ? pubSeqField : 0,
        },
      };
    }
    case R.REMOVE:
      return str(b[1]) ? { kind: R.REMOVE, name: b[1] } : undefined;
    case R.COMMIT: {
      if (!Array.isArray(b[1])) return undefined;
      const links: LinkPosition[] = [];
      for (const l of b[1] as unknown[]) {
        if (!Array.isArray(l) || !str(l[0]) || !num(l[1]) || !num(l[2])) return undefined;
        links.push({ peer: l[0], epoch: l[1], seq: l[2] });
      }
      return { kind: R.COMMIT, links };
    }
    default:
      return undefined;
  }
}

export interface ReadResult {
  records: Array<{ record: LogRecord; end: number }>;
  /** Bytes from the start that hold whole, checked records. */
  validBytes: number;
  /** Why reading stopped before the end, if it did. */
  problem: string | undefined;
}

/** Every whole, checked record of `buf` from its start, stopping at the first that is not. */
export function readRecords(buf: Buffer): ReadResult {
  const records: ReadResult['records'] = [];
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < RECORD_HEADER_BYTES)
      return { records, validBytes: off, problem: 'truncated record header' };
    const len = buf.readUInt32LE(off);
    if (len > MAX_RECORD_BYTES) return { records, validBytes: off, problem: `impossible length ${len}` };
    const end = off + RECORD_HEADER_BYTES + len;
    if (end > buf.length) return { records, validBytes: off, problem: 'truncated record' };
    const body = buf.subarray(off + RECORD_HEADER_BYTES, end);
    if (crc32(body) !== buf.readUInt32LE(off + 4))
      return { records, validBytes: off, problem: 'checksum mismatch' };
    let record: LogRecord | undefined;
    try {
      record = decodeBody(body);
    } catch {
      record = undefined;
    }
    if (!record) return { records, validBytes: off, problem: 'undecodable record' };
    records.push({ record, end });
    off = end;
  }
  return { records, validBytes: off, problem: undefined };
}
