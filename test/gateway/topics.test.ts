import fc from 'fast-check';
import { matches, patternProblem, topicProblem } from '../../gateway/protocol/topics';

const segment = fc.stringMatching(/^[a-z0-9_]{1,6}$/);
const topic = fc.array(segment, { minLength: 1, maxLength: 6 });

/** Reference semantics written independently: a regex per pattern. */
function reference(pattern: string, t: string): boolean {
  const parts = pattern
    .split('.')
    .map((p) => (p === '*' ? '[^.]+' : p === '>' ? '[^.]+(\\.[^.]+)*' : p.replace(/[-]/g, '\\-')));
  return new RegExp(`^${parts.join('\\.')}$`).test(t);
}

describe('topic patterns (docs/protocol.md §2)', () => {
  it('matches the `*` and `>` wildcard examples', () => {
    expect(matches('be.cortexiq.home.*', 'be.cortexiq.home.measured')).toBe(true);
    expect(matches('be.cortexiq.home.*', 'be.cortexiq.home.measured.extra')).toBe(false);
    expect(matches('be.cortexiq.>', 'be.cortexiq.home.measured')).toBe(true);
    expect(matches('be.cortexiq.>', 'be.cortexiq')).toBe(false);
    expect(matches('be.*.home.>', 'be.x.home.a.b')).toBe(true);
  });

  it('agrees with a reference regex on random patterns and topics', () => {
    const pattern = fc
      .tuple(fc.array(fc.oneof(segment, fc.constant('*')), { minLength: 1, maxLength: 5 }), fc.boolean())
      .map(([segs, tail]) => (tail ? [...segs, '>'] : segs).join('.'));
    fc.assert(
      fc.property(pattern, topic, (p, t) => {
        expect(matches(p, t.join('.'))).toBe(reference(p, t.join('.')));
      }),
      { numRuns: 3000 },
    );
  });

  it('a pattern derived from a topic by wildcarding always matches it', () => {
    fc.assert(
      fc.property(
        topic,
        fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
        fc.nat(6),
        (t, stars, cut) => {
          const segs = t.map((s, i) => (stars[i] ? '*' : s));
          const p = cut > 0 && cut < t.length ? [...segs.slice(0, cut), '>'].join('.') : segs.join('.');
          expect(matches(p, t.join('.'))).toBe(true);
        },
      ),
    );
  });

  it('validates names and says why', () => {
    expect(topicProblem('a..b')).toMatch(/empty segments/);
    expect(topicProblem('a.*')).toMatch(/characters outside/);
    expect(topicProblem('')).toMatch(/non-empty/);
    expect(topicProblem('x'.repeat(300))).toMatch(/at most 256/);
    expect(patternProblem('a.>.b')).toMatch(/only allowed as the last segment/);
    expect(patternProblem('a.*.>')).toBeUndefined();
  });
});
