import fc from 'fast-check';
import { GatewayError } from '../../gateway/protocol/errors';
import { encodeHeaderInto } from '../../gateway/protocol/header-codec';
import {
  decodePayload,
  encodeFrame,
  encodeFrameHead,
  encodePayload,
  FrameDecoder,
  type Frame,
} from '../../gateway/protocol/frames';

function decodeAll(bytes: Buffer, splits: number[], max?: number): Frame[] {
  const d = new FrameDecoder(max);
  const out: Frame[] = [];
  let at = 0;
  for (const s of [...splits.filter((x) => x < bytes.length)].sort((a, b) => a - b).concat(bytes.length)) {
    d.push(bytes.subarray(at, s), (f) => out.push({ header: f.header, payload: Buffer.from(f.payload) }));
    at = s;
  }
  return out;
}

describe('frame codec', () => {
  it('round-trips header and payload bytes untouched', () => {
    const payload = encodePayload({ home_id: 'h1', production_w: 1234.5, tags: ['a', 'b'] });
    const frames = decodeAll(encodeFrame([8, 'be.cortexiq.home.measured', 0, false], payload), []);
    expect(frames).toHaveLength(1);
    expect(frames[0].header).toEqual([8, 'be.cortexiq.home.measured', 0, false]);
    expect(decodePayload(frames[0].payload)).toEqual({
      home_id: 'h1',
      production_w: 1234.5,
      tags: ['a', 'b'],
    });
  });

  it('decodes any sequence of frames split at any byte boundaries, in order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.array(fc.oneof(fc.string(), fc.integer(), fc.boolean()), { maxLength: 5 }),
            fc.uint8Array({ maxLength: 300 }),
          ),
          { minLength: 1, maxLength: 20 },
        ),
        fc.array(fc.nat(6000), { maxLength: 30 }),
        (frames, splits) => {
          const wire = Buffer.concat(frames.map(([h, p]) => encodeFrame([1, ...h], p)));
          const got = decodeAll(wire, splits);
          expect(got.map((f) => f.header)).toEqual(frames.map(([h]) => [1, ...h]));
          expect(got.map((f) => [...f.payload])).toEqual(frames.map(([, p]) => [...p]));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('fuzz: arbitrary bytes either decode or fail with a GatewayError, never anything else', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2000 }),
        fc.array(fc.nat(2000), { maxLength: 10 }),
        (bytes, splits) => {
          try {
            decodeAll(Buffer.from(bytes), splits, 4096);
          } catch (err) {
            expect(err).toBeInstanceOf(GatewayError);
            expect(['protocol_error', 'frame_too_large']).toContain((err as GatewayError).code);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('fuzz: corrupting a valid frame stream never throws a non-protocol error', () => {
    const valid = Buffer.concat([
      encodeFrame([8, 'a.b', 0, false], encodePayload({ x: 1 })),
      encodeFrame([21, 7]),
    ]);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        (flips) => {
          const bytes = Buffer.from(valid);
          for (const [at, v] of flips) bytes[at] = v;
          try {
            decodeAll(bytes, [], 4096);
          } catch (err) {
            expect(err).toBeInstanceOf(GatewayError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('decodes headers that differ only in a final uint32 (an EVENT pubSeq) to their own values', () => {
    const event = (pubSeq: number) => {
      const head = Buffer.from(encodeHeaderInto([10, 3, 'be.t', 'gw:1', 'gw', 0, 'stream', 0]));
      const fixed = Buffer.concat([head.subarray(0, head.length - 1), Buffer.from([0xce, 0, 0, 0, 0])]);
      fixed.writeUInt32BE(pubSeq, fixed.length - 4);
      return encodeFrameHead(fixed, Buffer.from([pubSeq & 0xff]));
    };
    // The last element a nested array ending in a uint32: not a field of its own to replace.
    const nested = (n: number) => encodeFrame([10, ['x', 70_000 + n]], Buffer.alloc(0));
    const bytes = Buffer.concat([
      event(70_000),
      event(70_001),
      event(70_002),
      nested(0),
      nested(1),
      event(5),
    ]);
    const frames = decodeAll(bytes, [3, 40, 77]);
    expect(frames.map((f) => f.header)).toEqual([
      [10, 3, 'be.t', 'gw:1', 'gw', 0, 'stream', 70_000],
      [10, 3, 'be.t', 'gw:1', 'gw', 0, 'stream', 70_001],
      [10, 3, 'be.t', 'gw:1', 'gw', 0, 'stream', 70_002],
      [10, ['x', 70_000]],
      [10, ['x', 70_001]],
      [10, 3, 'be.t', 'gw:1', 'gw', 0, 'stream', 5],
    ]);
  });

  it('refuses a frame larger than the limit before buffering its body', () => {
    const d = new FrameDecoder(1024);
    const prefix = Buffer.alloc(8);
    prefix.writeUInt32BE(10_000_000, 0);
    prefix.writeUInt32BE(10, 4);
    expect(() => d.push(prefix, () => undefined)).toThrow(
      /frame of 10000000 bytes exceeds the limit of 1024/,
    );
  });

  it('refuses a header that is not a typed array', () => {
    const head = encodePayload({ not: 'an array' });
    const frame = Buffer.alloc(8 + head.length);
    frame.writeUInt32BE(head.length, 0);
    frame.writeUInt32BE(head.length, 4);
    head.copy(frame, 8);
    expect(() => new FrameDecoder().push(frame, () => undefined)).toThrow(
      /expected an array starting with a message type/,
    );
  });
});

describe('payload codec', () => {
  it('round-trips any JSON-like value, and bytes as bytes', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          // `__proto__` keys are the one exception, checked on their own below.
          fc.jsonValue().filter((v) => !JSON.stringify(v).includes('"__proto__"')),
          fc.uint8Array({ maxLength: 70_000 }).map((a) => Buffer.from(a)),
        ),
        (v) => {
          const back = decodePayload(encodePayload(v));
          if (Buffer.isBuffer(v)) expect(Buffer.compare(back as Buffer, v)).toBe(0);
          else expect(back).toEqual(JSON.parse(JSON.stringify(v)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a `__proto__` key cannot reach an object prototype: the decoder renames it', () => {
    // msgpackr's guard against prototype pollution: the key arrives as `__proto_`, an own property.
    const back = decodePayload(encodePayload(JSON.parse('{"__proto__":{"polluted":true},"a":1}'))) as Record<
      string,
      unknown
    >;
    expect(back).toEqual({ __proto_: { polluted: true }, a: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
  });

  it('encodes arrays of same-shaped objects compactly (records)', () => {
    const hours = Array.from({ length: 27 }, (_, i) => ({
      simulation_hour: `h${i}`,
      grid_import_kwh: i / 7,
      is_day: i % 2 === 0,
    }));
    expect(encodePayload({ hours }).length).toBeLessThan(JSON.stringify({ hours }).length * 0.6);
  });
});
