/**
 * The durable log (gateway/durable/, docs/loss.md "Durable subscriptions across a crash") without a
 * network: what it writes is read back as it was, a torn or damaged tail is cut (never misread,
 * never a crash), acknowledged segments are deleted, and the byte bound drops the oldest segment
 * with its events counted. A "crash" here is dropping the objects without closing the log.
 */
import {
  appendFileSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { DurableStore } from '../../gateway/core/durable-store';
import type { Outbound } from '../../gateway/core/outbound';
import type { DurableSubscription } from '../../gateway/core/subscribers';
import { openDurableLog, type OpenedDurableLog } from '../../gateway/durable/open';
import { recoverLog, segmentName } from '../../gateway/durable/recovery';
import type { LinkPosition } from '../../gateway/durable/records';

const quiet = pino({ level: 'silent' });
const TOPIC = 'be.cortexiq.test.log';
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'durable-log-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Opened extends OpenedDurableLog {
  store: DurableStore;
}

/** A store with its log in `dir`, its subscriptions restored; `links` is what COMMITs record. */
function open(maxBytes = 1 << 30, links: () => LinkPosition[] = () => []): Opened {
  const store = new DurableStore(
    { maxMessages: 1e6, maxBytes: 1 << 30, maxCount: 100, totalMaxBytes: 1 << 30, expireMs: 0 },
    { added: () => undefined, removed: () => undefined, expired: () => undefined, evicted: () => undefined },
  );
  const opened = openDurableLog({ dataDir: dir, dataMaxBytes: maxBytes, dataSyncMs: 2 }, quiet, store, {
    linkPositions: links,
    committed: () => undefined,
  });
  opened.restore();
  return { ...opened, store };
}

function publish(sub: DurableSubscription, from: number, to: number, bytes = 100): void {
  for (let n = from; n < to; n++) {
    const payload = Buffer.alloc(bytes, n % 256);
    payload.writeUInt32BE(n, 0);
    sub.deliver(TOPIC, 'pub-1', 'gw-a', payload, null, 0);
  }
}

/** The numbers (first 4 bytes of each payload) a restored subscription still holds, with seqs. */
function pending(sub: DurableSubscription): Array<[number, number]> {
  const events = (sub as unknown as { events: Array<{ seq: number; payload: Buffer }>; head: number }).events;
  const head = (sub as unknown as { head: number }).head;
  return events.slice(head).map((e) => [e.seq, e.payload.readUInt32BE(0)]);
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('durable log', () => {
  it('gives back subscriptions, owners, pending events and sequences after a crash', async () => {
    const a = open(undefined, () => [{ peer: 'gw-b', epoch: 42, seq: 900 }]);
    const sub = a.store.getOrCreate('orders', 'be.cortexiq.>', 's1', 'client-7').sub;
    publish(sub, 0, 100);
    sub.ack(40);
    await a.log.flushed();
    // Crash: nothing closed, nothing more written.
    const b = open();
    const back = b.store.get('orders')!;
    expect(back.pattern).toBe('be.cortexiq.>');
    expect(back.owner).toBe('client-7');
    expect(pending(back).map(([, n]) => n)).toEqual(range(40, 100));
    expect(pending(back)[0][0]).toBe(41);
    expect(back.lastSeq).toBe(100);
    // Sequences continue: the next event is 101, not 1.
    publish(back, 100, 101);
    expect(back.lastSeq).toBe(101);
    expect(b.restartPeers).toEqual(['gw-b']);
    expect(b.log.committedPosition('gw-b')).toEqual({ peer: 'gw-b', epoch: 42, seq: 900 });
    await b.log.close();
  });

  it("keeps a tracked publication's id, and tells a waiting PUBACK once the event is on disk", async () => {
    const a = open();
    const sub = a.store.getOrCreate('orders', TOPIC, 's1', 'c').sub;
    const mark = a.log.eventMark;
    sub.deliver(TOPIC, 'pub-1', 'gw-a', Buffer.from([1]), 'stream-x', 77);
    publish(sub, 1, 2);
    expect(a.log.eventMark).toBe(mark + 2);
    let onDisk = false;
    const waits = a.log.whenAcked(a.log.eventMark, () => (onDisk = true));
    expect(waits).toBe(true);
    expect(onDisk).toBe(false);
    await a.log.flushed();
    expect(onDisk).toBe(true);
    expect(a.log.whenAcked(a.log.eventMark, () => undefined)).toBe(false);
    const b = open();
    const kept = (
      b.store.get('orders')! as unknown as { events: Array<{ stream: string | null; pubSeq: number }> }
    ).events;
    expect(kept.map((e) => [e.stream, e.pubSeq])).toEqual([
      ['stream-x', 77],
      [null, 0],
    ]);
    await b.log.close();
  });

  it('cuts a torn tail and a damaged record, keeping every whole batch before them', async () => {
    const a = open();
    const sub = a.store.getOrCreate('orders', TOPIC, 's1', 'c').sub;
    publish(sub, 0, 50);
    await a.log.flushed();
    publish(sub, 50, 60);
    await a.log.flushed();
    const seg = join(dir, segmentName(1));
    const whole = statSync(seg).size;
    // A crash mid-write: half a record's bytes after the last whole batch.
    appendFileSync(seg, Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7]));
    const b = open();
    expect(b.log.cutBytes).toBe(11);
    expect(statSync(seg).size).toBe(whole);
    expect(pending(b.store.get('orders')!).map(([, n]) => n)).toEqual(range(0, 60));
    await b.log.close();
    // A garbled byte inside the last batch: its checksum fails, the batch goes, the one before stays.
    const buf = readFileSync(seg);
    buf[whole - 30] ^= 0xff;
    writeFileSync(seg, buf);
    const c = open();
    expect(c.log.cutBytes).toBeGreaterThan(0);
    expect(pending(c.store.get('orders')!).map(([, n]) => n)).toEqual(range(0, 50));
    await c.log.close();
  });

  it('drops records of a batch whose COMMIT never reached the disk', async () => {
    const a = open();
    const sub = a.store.getOrCreate('orders', TOPIC, 's1', 'c').sub;
    publish(sub, 0, 20);
    await a.log.flushed();
    const seg = join(dir, segmentName(1));
    const size = statSync(seg).size;
    publish(sub, 20, 30);
    await a.log.flushed();
    // Cut the second batch just before its COMMIT (the last record, a few bytes long).
    truncateSync(seg, statSync(seg).size - 12);
    expect(recoverLog(dir).problems).toHaveLength(1);
    expect(statSync(seg).size).toBe(size);
    const b = open();
    expect(pending(b.store.get('orders')!).map(([, n]) => n)).toEqual(range(0, 20));
    await b.log.close();
  });

  it('deletes segments once every event in them is acknowledged', async () => {
    const a = open(64 * 1024); // segments of 8 KiB
    const sub = a.store.getOrCreate('orders', TOPIC, 's1', 'c').sub;
    for (let round = 0; round < 20; round++) {
      publish(sub, round * 20, round * 20 + 20, 500);
      await a.log.flushed();
      sub.ack(sub.lastSeq);
    }
    await a.log.flushed();
    publish(sub, 400, 401);
    await a.log.flushed();
    expect(a.log.segmentCount).toBeLessThanOrEqual(2);
    expect(a.log.boundDropped).toBe(0);
    const b = open(64 * 1024);
    expect(pending(b.store.get('orders')!).map(([, n]) => n)).toEqual([400]);
    await b.log.close();
  });

  it('at GATEWAY_DATA_MAX_BYTES drops the oldest segment, counts its events and tells them as overflow', async () => {
    const maxBytes = 64 * 1024;
    const a = open(maxBytes);
    const sub = a.store.getOrCreate('orders', TOPIC, 's1', 'c').sub;
    // Nobody acknowledges: 200 KiB of events cannot all stay.
    for (let round = 0; round < 40; round++) {
      publish(sub, round * 10, round * 10 + 10, 500);
      await a.log.flushed();
    }
    expect(a.log.boundDropped).toBeGreaterThan(0);
    expect(a.log.bytes).toBeLessThanOrEqual(maxBytes);
    expect(sub.overflow).toBe(a.log.boundDropped);
    const files = readdirSync(dir).filter((f) => f.endsWith('.log'));
    expect(files.length).toBe(a.log.segmentCount);
    // What is left is the newest events, in order, with nothing in between missing; after a crash too.
    const left = pending(sub).map(([, n]) => n);
    expect(left).toEqual(range(400 - left.length, 400));
    const b = open(maxBytes);
    const back = b.store.get('orders')!;
    expect(pending(back).map(([, n]) => n)).toEqual(left);
    expect(back.overflow).toBe(a.log.boundDropped);
    await b.log.close();
  });

  it('forgets a removed subscription, and a new one under the same name starts clean', async () => {
    const a = open();
    const old = a.store.getOrCreate('orders', TOPIC, 's1', 'c').sub;
    publish(old, 0, 10);
    a.store.remove('orders');
    const again = a.store.getOrCreate('orders', 'be.cortexiq.other', 's2', 'd').sub;
    publish(again, 100, 103);
    await a.log.flushed();
    const b = open();
    const back = b.store.get('orders')!;
    expect(back.pattern).toBe('be.cortexiq.other');
    expect(back.owner).toBe('d');
    expect(pending(back).map(([, n]) => n)).toEqual([100, 101, 102]);
    await b.log.close();
  });

  it('keeps the epoch across a crash, and hands a client only events already on disk', async () => {
    const a = open();
    const sub = a.store.getOrCreate('orders', 'be.cortexiq.>', 's1', 'client-7').sub;
    const sent: number[] = [];
    const out = {
      hasRoom: true,
      control: () => sent.push(sent.length + 1),
      whenWritable: () => undefined,
    } as unknown as Outbound;
    sub.attach('s1', 1, out);
    publish(sub, 0, 5);
    // Not on disk yet: a number the client saw could otherwise name another event after a crash.
    expect(sent).toEqual([]);
    await a.log.flushed();
    expect(sent).toEqual(range(1, 6));
    const b = open();
    expect(b.store.get('orders')!.epoch).toBe(sub.epoch);
    // A new subscription is a new epoch.
    expect(b.store.getOrCreate('other', 'be.>', 's2', 'client-7').sub.epoch).not.toBe(sub.epoch);
  });
});
