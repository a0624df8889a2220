import fc from 'fast-check';
import { RecentIds } from '../../gateway/mesh/dedupe';

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
});
