/**
 * The compiled checks (apps/shared/contract/compiled-check.ts) say yes exactly when the schema
 * does: every event of the contract, and each of them with every field (nested ones included)
 * replaced by values of the wrong type, out of range, missing, or null.
 */
import { z } from 'zod';
import { EVENT_SCHEMAS, TOPICS, type Topic } from '../../apps/shared/contract';
import { compileCheck } from '../../apps/shared/contract/compiled-check';
import * as E from '../helpers/domain-events';

const T = '2025-03-03T10:00:00.000Z';

const SAMPLES: E.Published[] = [
  E.initialized('h1', 'antwerp', T),
  E.connected('h1', 'antwerp', T),
  E.disconnected('h1', 'antwerp', T),
  E.measured('h1', 'antwerp', T),
  E.traded('h1', 'antwerp', T, 3),
  E.billed('h1', 'antwerp', T, '2025-03'),
  E.balance('h1', 'antwerp', T),
  E.switched('h1', 'antwerp', T),
  E.expired('h1', 'antwerp', T),
  E.proposed('p1', T),
  E.spot('p1', T),
  E.rejected('p1', 'h1', T),
  E.tick(T, 1),
  E.reset(T),
];

const REPLACEMENTS: unknown[] = [
  undefined,
  null,
  '',
  'x',
  'x'.repeat(201),
  '2025-13-45T99:00:00Z',
  '2025-03',
  '2800',
  0,
  -1,
  -11,
  1,
  2,
  3,
  101,
  0.5,
  Infinity,
  NaN,
  true,
  false,
  [],
  [1],
  {},
  'antwerp',
  'nowhere',
];

/** Every path to a value inside `v` (object keys and array indexes). */
function paths(v: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (v === null || typeof v !== 'object') return [prefix];
  const keys = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
  return [prefix, ...keys.flatMap((k) => paths((v as Record<string | number, unknown>)[k], [...prefix, k]))];
}

function withValue(v: unknown, path: Array<string | number>, value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = (Array.isArray(v) ? [...v] : { ...(v as object) }) as Record<string | number, unknown>;
  const [head, ...rest] = path;
  if (rest.length === 0 && value === undefined && !Array.isArray(v)) delete copy[head];
  else copy[head] = withValue(copy[head], rest, value);
  return copy;
}

describe('compiled checks agree with the contract schemas', () => {
  it('compile for the topics the projections take at rate', () => {
    for (const topic of [TOPICS.homeMeasured, TOPICS.homeTraded, TOPICS.balanceUpdated])
      expect(compileCheck(EVENT_SCHEMAS[topic])).toBeDefined();
  });

  it.each(SAMPLES.map((s) => [s.topic, s] as const))('%s: yes exactly when the schema says yes', (_, s) => {
    const schema = EVENT_SCHEMAS[s.topic as Topic];
    const check = compileCheck(schema);
    if (!check) return; // uses a part not compiled: the schema is used as it is
    let refused = 0;
    let tried = 0;
    for (const path of paths(s.payload))
      for (const value of REPLACEMENTS) {
        const candidate = withValue(s.payload, path, value);
        const expected = schema.safeParse(candidate).success;
        if (check(candidate) !== expected)
          throw new Error(`${s.topic} at ${path.join('.') || '(root)'} = ${String(value)}: zod ${expected}`);
        tried++;
        if (!expected) refused++;
      }
    // The mutations did test refusals, not only valid payloads.
    expect(refused).toBeGreaterThan(tried / 3);
    expect(check({ ...s.payload, unknown_key: 1 })).toBe(true);
  });

  it('parts it does not compile leave the schema in charge', () => {
    expect(compileCheck(z.string().transform((v) => v.length))).toBeUndefined();
    expect(compileCheck(z.strictObject({ a: z.string() }))).toBeUndefined();
    expect(compileCheck(z.object({ a: z.number().int() }))).toBeUndefined();
  });
});
