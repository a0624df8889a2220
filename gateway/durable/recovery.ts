/**
 * Reading the durable log back at start (docs/loss.md "Durable subscriptions across a crash"). Only
 * whole batches count: records are applied when the COMMIT that ends their batch is read, so what a
 * crash left half-written (a torn record, a bad checksum, or whole records of a batch whose COMMIT
 * never made it to disk) is cut off the file, logged, and never misread. The mesh links' positions
 * in the last COMMIT say what this gateway had made durable, so its neighbours resend the rest.
 */
import { closeSync, ftruncateSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  R,
  readRecords,
  type EventRecord,
  type LinkPosition,
  type LogRecord,
  type StateRecord,
} from './records';

export const SEGMENT_PREFIX = 'durable-';
export const SEGMENT_SUFFIX = '.log';

export function segmentName(id: number): string {
  return `${SEGMENT_PREFIX}${String(id).padStart(8, '0')}${SEGMENT_SUFFIX}`;
}

/** One subscription as the log left it: its state and the events still pending, in order. */
export interface RecoveredSubscription {
  state: StateRecord;
  events: EventRecord[];
}

export interface RecoveredSegment {
  id: number;
  path: string;
  bytes: number;
  /** Highest event sequence per subscription in this segment (what must be acknowledged to delete it). */
  maxSeq: Map<string, number>;
}

export interface RecoveredLog {
  subscriptions: Map<string, RecoveredSubscription>;
  links: LinkPosition[];
  segments: RecoveredSegment[];
  /** The folder held a log from an earlier run: this start is a restart. */
  restarted: boolean;
  /** Bytes cut off segment tails (a crash mid-write, or damage). */
  cutBytes: number;
  problems: string[];
}

function apply(out: RecoveredLog, record: LogRecord, segment: RecoveredSegment): void {
  switch (record.kind) {
    case R.STATE: {
      const s = record.state;
      const sub = out.subscriptions.get(s.name);
      if (!sub || sub.state.pattern !== s.pattern || sub.state.owner !== s.owner) {
        out.subscriptions.set(s.name, { state: s, events: [] });
        return;
      }
      // The floor only moves forward; a segment's snapshot can repeat an older one.
      const floor = Math.max(sub.state.floor, s.floor);
      sub.state = { ...s, floor, lastSeq: Math.max(sub.state.lastSeq, s.lastSeq) };
      let drop = 0;
      while (drop < sub.events.length && sub.events[drop].seq <= floor) drop++;
      if (drop > 0) sub.events = sub.events.slice(drop);
      return;
    }
    case R.EVENT: {
      const e = record.event;
      const sub = out.subscriptions.get(e.name);
      if (!sub) return;
      segment.maxSeq.set(e.name, Math.max(segment.maxSeq.get(e.name) ?? 0, e.seq));
      const last = sub.events.length > 0 ? sub.events[sub.events.length - 1].seq : sub.state.floor;
      if (e.seq <= last) return;
      sub.events.push(e);
      if (e.seq > sub.state.lastSeq) sub.state = { ...sub.state, lastSeq: e.seq };
      return;
    }
    case R.REMOVE:
      out.subscriptions.delete(record.name);
      return;
    case R.COMMIT:
      out.links = record.links;
      return;
  }
}

/** Reads every segment of `dir` in order, cutting what is not a whole batch off each one. */
export function recoverLog(dir: string): RecoveredLog {
  const out: RecoveredLog = {
    subscriptions: new Map(),
    links: [],
    segments: [],
    restarted: false,
    cutBytes: 0,
    problems: [],
  };
  const ids = readdirSync(dir)
    .filter((f) => f.startsWith(SEGMENT_PREFIX) && f.endsWith(SEGMENT_SUFFIX))
    .map((f) => Number(f.slice(SEGMENT_PREFIX.length, -SEGMENT_SUFFIX.length)))
    .filter((n) => Number.isSafeInteger(n) && n > 0)
    .sort((a, b) => a - b);
  out.restarted = ids.length > 0;
  for (const id of ids) {
    const path = join(dir, segmentName(id));
    const buf = readFileSync(path);
    const segment: RecoveredSegment = { id, path, bytes: 0, maxSeq: new Map() };
    const read = readRecords(buf);
    let committedEnd = 0;
    let batch: LogRecord[] = [];
    for (const { record, end } of read.records) {
      batch.push(record);
      if (record.kind !== R.COMMIT) continue;
      for (const r of batch) apply(out, r, segment);
      batch = [];
      committedEnd = end;
    }
    if (committedEnd < buf.length) {
      const why = read.problem ?? 'batch without its COMMIT';
      out.problems.push(`${path}: ${buf.length - committedEnd} bytes cut at offset ${committedEnd} (${why})`);
      out.cutBytes += buf.length - committedEnd;
      const fd = openSync(path, 'r+');
      try {
        ftruncateSync(fd, committedEnd);
      } finally {
        closeSync(fd);
      }
    }
    segment.bytes = committedEnd;
    out.segments.push(segment);
  }
  return out;
}
