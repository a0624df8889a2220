import fc from 'fast-check';
import { RecentIds } from '../../gateway/protocol/recent-ids';

describe('RecentIds', () => {
  it('accepts each id once, in any order within the window', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5000 }), { maxLength: 500 }), (ids) => {
        const r = new RecentIds();
        const seen = new Set<number>();
        for (const id of ids) {
          expect(r.firstTime('o', 1, id)).toBe(!seen.has(id));
          seen.add(id);
        }
      }),
    );
  });

  it('keeps origins and epochs apart', () => {
    const r = new RecentIds();
    expect(r.firstTime('a', 1, 7)).toBe(true);
    expect(r.firstTime('b', 1, 7)).toBe(true);
    expect(r.firstTime('a', 2, 7)).toBe(true);
    expect(r.firstTime('a', 2, 7)).toBe(false);
  });

  it('forgets slots as the window slides, so reused slots are not mistaken for duplicates', () => {
    const r = new RecentIds();
    expect(r.firstTime('o', 1, 5)).toBe(true);
    expect(r.firstTime('o', 1, 5 + (1 << 17))).toBe(true);
    expect(r.firstTime('o', 1, 6 + (1 << 17))).toBe(true);
    expect(r.firstTime('o', 1, 5)).toBe(false); // older than the window: treated as seen
  });

  it('with a smaller window, slides by that window', () => {
    const r = new RecentIds(4);
    expect(r.firstTime('o', 0, 1)).toBe(true);
    expect(r.firstTime('o', 0, 16)).toBe(true);
    expect(r.firstTime('o', 0, 2)).toBe(true); // 14 behind: still inside the window of 16
    expect(r.firstTime('o', 0, 2)).toBe(false);
    expect(r.firstTime('o', 0, 17)).toBe(true);
    expect(r.firstTime('o', 0, 1)).toBe(false); // 16 behind: out of the window, treated as seen
  });

  it('forgets the origin seen least recently past maxOrigins', () => {
    const r = new RecentIds(8, 2);
    expect(r.firstTime('a', 0, 1)).toBe(true);
    expect(r.firstTime('b', 0, 1)).toBe(true);
    expect(r.firstTime('a', 0, 2)).toBe(true); // a is now the most recent
    expect(r.firstTime('c', 0, 1)).toBe(true); // evicts b
    expect(r.origins).toBe(2);
    expect(r.firstTime('a', 0, 1)).toBe(false); // a was kept
    expect(r.firstTime('b', 0, 1)).toBe(true); // b was forgotten
  });
});
