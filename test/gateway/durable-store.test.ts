/**
 * Gateway-wide bounds over durable subscriptions (durable-store.ts): how many may exist, how
 * many bytes they keep together, and how long one may stay without a client.
 */
import { DurableStore, type DurableStoreLimits } from '../../gateway/core/durable-store';
import type { DurableSubscription } from '../../gateway/core/subscribers';
import type { Outbound } from '../../gateway/core/outbound';
import { decodeHeader } from '../../gateway/protocol/header-codec';
import { M } from '../../gateway/protocol/messages';

const LIMITS: DurableStoreLimits = {
  maxMessages: 1000,
  maxBytes: 1 << 20,
  maxCount: 3,
  // Ten 200-byte events (each counts payload + topic + 64), and enough more that 1 % under it
  // (where eviction stops) still holds ten.
  totalMaxBytes: 10 * 264 + 30,
  expireMs: 60_000,
};
const TOPIC = '';
const payload = (): Buffer => Buffer.alloc(200, 7);

/** An outbound path that always has room and records the control frames' headers. */
const controlHeaders: unknown[][] = [];
const sink = {
  hasRoom: true,
  control: (frame: Buffer) => {
    const headerLength = frame.readUInt32BE(4);
    controlHeaders.push(decodeHeader(frame.subarray(8, 8 + headerLength)) as unknown[]);
  },
  whenWritable: () => undefined,
} as unknown as Outbound;

function store(limits: Partial<DurableStoreLimits> = {}) {
  const log = { added: [] as string[], removed: [] as string[], expired: [] as string[], evicted: 0 };
  const s = new DurableStore(
    { ...LIMITS, ...limits },
    {
      added: (sub) => log.added.push(sub.name),
      removed: (sub) => log.removed.push(sub.name),
      expired: (name) => log.expired.push(name),
      evicted: (n) => (log.evicted += n),
    },
  );
  return { s, log };
}

const feed = (sub: DurableSubscription, n: number): void => {
  for (let i = 0; i < n; i++) sub.deliver(TOPIC, 'pub', 'gw', payload(), null, 0);
};

describe('durable store', () => {
  it('refuses a subscription past DURABLE_MAX_COUNT with limit_exceeded, naming the setting', () => {
    const { s, log } = store();
    for (const name of ['a', 'b', 'c']) s.getOrCreate(name, 'x.>', 'session-1', 'client-1');
    expect(() => s.getOrCreate('d', 'x.>', 'session-1', 'client-1')).toThrow(
      expect.objectContaining({
        code: 'limit_exceeded',
        message: expect.stringContaining('DURABLE_MAX_COUNT'),
      }),
    );
    // An existing name is not a new subscription.
    expect(s.getOrCreate('a', 'x.>', 'session-1', 'client-1').created).toBe(false);
    s.remove('b');
    expect(s.getOrCreate('d', 'x.>', 'session-1', 'client-1').created).toBe(true);
    expect(log.added).toEqual(['a', 'b', 'c', 'd']);
    expect(log.removed).toEqual(['b']);
  });

  it('refuses the same name with another pattern', () => {
    const { s } = store();
    s.getOrCreate('a', 'x.>', 'session-1', 'client-1');
    expect(() => s.getOrCreate('a', 'y.>', 'session-1', 'client-1')).toThrow(
      expect.objectContaining({ code: 'already_exists' }),
    );
  });

  it('removes subscriptions without a client for longer than DURABLE_EXPIRE_S, and only those', () => {
    const { s, log } = store();
    const away = s.getOrCreate('away', 'x.>', 'session-1', 'client-1').sub;
    const held = s.getOrCreate('held', 'x.>', 'session-1', 'client-1').sub;
    held.attach('session-1', 1, sink);
    feed(away, 3);
    const t0 = Date.now();
    expect(s.expire(t0 + 59_000)).toEqual([]);
    expect(s.expire(t0 + 61_000)).toEqual(['away']);
    expect(log.expired).toEqual(['away']);
    expect(log.removed).toEqual(['away']);
    expect(s.has('held')).toBe(true);
    expect(s.expiredTotal).toBe(1);
    expect(s.totalBytes).toBe(0); // the expired one's kept bytes are released
    // The clock starts again when its client leaves.
    held.detach('session-1');
    expect(s.expire(Date.now() + 59_000)).toEqual([]);
    expect(s.expire(Date.now() + 61_000)).toEqual(['held']);
  });

  it('reports what an expired subscription held to the next client under its name, once', () => {
    const { s } = store();
    const away = s.getOrCreate('away', 'x.>', 'session-1', 'client-1').sub;
    feed(away, 3);
    s.expire(Date.now() + 61_000);
    const again = s.getOrCreate('away', 'x.>', 'session-1', 'client-1');
    expect(again.created).toBe(true);
    expect(again.sub.overflow).toBe(3);
    expect(again.sub.attach('session-2', 1, sink)).toBe(3);
    s.remove('away');
    expect(s.getOrCreate('away', 'x.>', 'session-1', 'client-1').sub.overflow).toBe(0);
  });

  it('remembers at most DURABLE_MAX_COUNT expired names', () => {
    const { s } = store({ maxCount: 2 });
    for (const name of ['a', 'b', 'c']) {
      feed(s.getOrCreate(name, 'x.>', 'session-1', 'client-1').sub, 1);
      s.expire(Date.now() + 61_000);
    }
    expect(s.getOrCreate('a', 'x.>', 'session-1', 'client-1').sub.overflow).toBe(0); // forgotten: the oldest
    expect(s.getOrCreate('c', 'x.>', 'session-1', 'client-1').sub.overflow).toBe(1);
  });

  it('never expires with DURABLE_EXPIRE_S=0', () => {
    const { s } = store({ expireMs: 0 });
    s.getOrCreate('away', 'x.>', 'session-1', 'client-1');
    expect(s.expire(Date.now() + 10 * 365 * 24 * 3600 * 1000)).toEqual([]);
  });

  it('keeps the total within DURABLE_TOTAL_MAX_BYTES, taking from subscriptions without a client first', () => {
    const { s, log } = store();
    const away = s.getOrCreate('away', 'x.>', 'session-1', 'client-1').sub;
    const held = s.getOrCreate('held', 'x.>', 'session-1', 'client-1').sub;
    held.attach('session-1', 1, sink);
    feed(away, 8);
    feed(held, 5); // 13 events for a budget of 10: the three oldest of 'away' go
    expect(s.totalBytes).toBeLessThanOrEqual(LIMITS.totalMaxBytes);
    expect(away.pending).toBe(5);
    expect(held.pending).toBe(5);
    expect(away.overflow).toBe(3); // reported to its client on resume
    expect(held.overflow).toBe(0);
    expect(s.evictedTotal).toBe(3);
    expect(log.evicted).toBe(3);
    // With 'away' gone, the one with a client gives way, and its client is told at once.
    s.remove('away');
    controlHeaders.length = 0;
    feed(held, 12);
    expect(held.pending).toBe(10);
    expect(held.overflow).toBe(0);
    const dropped = controlHeaders.filter((h) => h[0] === M.DROPPED);
    expect(dropped.map((h) => h[1])).toEqual(dropped.map(() => 1)); // its subId
    expect(dropped.reduce((n, h) => n + (h[2] as number), 0)).toBe(7);
    // Evicted while its client is away: reported on resume instead.
    held.detach('session-1');
    feed(held, 3);
    expect(held.overflow).toBe(3);
  });

  it('evicts down to 1 % under DURABLE_TOTAL_MAX_BYTES, so not on every event under pressure', () => {
    const { s } = store({ totalMaxBytes: 100 * 264 });
    const sub = s.getOrCreate('a', 'x.>', 'session-1', 'client-1').sub;
    feed(sub, 100);
    expect(s.evictedTotal).toBe(0);
    feed(sub, 1); // over: down to 99 events (26,136 bytes, 1 % under)
    expect(sub.pending).toBe(99);
    expect(s.evictedTotal).toBe(2);
    feed(sub, 1); // back at the bound, not over it: nothing evicted
    expect(sub.pending).toBe(100);
    expect(s.evictedTotal).toBe(2);
  });

  it('tracks the total through acknowledgements and the per-subscription bound', () => {
    const { s } = store({ maxMessages: 4 });
    const sub = s.getOrCreate('a', 'x.>', 'session-1', 'client-1').sub;
    sub.attach('session-1', 1, sink);
    feed(sub, 6);
    expect(sub.pending).toBe(4);
    expect(s.totalBytes).toBe(sub.pendingBytes);
    sub.ack(4);
    expect(sub.pending).toBe(2);
    expect(s.totalBytes).toBe(sub.pendingBytes);
    expect(s.evictedTotal).toBe(0); // the per-subscription bound is not a gateway-wide eviction
  });
});
