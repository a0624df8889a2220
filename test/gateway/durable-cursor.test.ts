/**
 * The client's position in a durable subscription (gateway/client/durable-cursor.ts; docs/protocol.md
 * §2, "epoch"): replays of one epoch are skipped, a new epoch starts over at the gateway's position,
 * and handlers of an older epoch never acknowledge under the new one.
 */
import { DurableCursor } from '../../gateway/client/durable-cursor';

function takeAll(c: DurableCursor, from: number, to: number): string[] {
  const out: string[] = [];
  for (let s = from; s <= to; s++) out.push(c.admit(s));
  return out;
}

describe('DurableCursor', () => {
  it('skips what it handled or took in of the same epoch, and hands on the rest', () => {
    const c = new DurableCursor();
    c.subscribed('e1', 0);
    expect(takeAll(c, 1, 6)).toEqual(Array(6).fill('handle'));
    expect(c.handled(4, c.generation)).toBe(true);
    // The gateway restarted with its log; it held only 2 as acknowledged and replays from 3.
    c.subscribed('e1', 2);
    expect(takeAll(c, 3, 8)).toEqual(['acknowledge', 'acknowledge', 'skip', 'skip', 'handle', 'handle']);
    expect(c.handledSeq).toBe(4);
  });

  it('starts over at the position of a new epoch, and ignores the old one’s late finishes', () => {
    const c = new DurableCursor();
    c.subscribed('e1', 0);
    takeAll(c, 1, 200);
    const old = c.generation;
    expect(c.handled(150, old)).toBe(true);
    // A gateway without a data folder restarted: numbering from 1 again.
    c.subscribed('e2', 0);
    expect(c.handledSeq).toBe(0);
    expect(takeAll(c, 1, 3)).toEqual(['handle', 'handle', 'handle']);
    expect(c.handled(200, old)).toBe(false);
    expect(c.handledSeq).toBe(0);
    expect(c.handled(2, c.generation)).toBe(true);
    expect(c.handledSeq).toBe(2);
  });

  it('skips nothing for a gateway that sends no epoch', () => {
    const c = new DurableCursor();
    c.subscribed(undefined, undefined);
    takeAll(c, 1, 5);
    c.handled(5, c.generation);
    c.subscribed(undefined, undefined);
    expect(takeAll(c, 1, 3)).toEqual(['handle', 'handle', 'handle']);
  });
});
