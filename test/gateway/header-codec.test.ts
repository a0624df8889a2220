import fc from 'fast-check';
import { Packr, Unpackr } from 'msgpackr';
import { decodeHeader, encodeHeaderInto } from '../../gateway/protocol/header-codec';

const reference = { pack: new Packr({ useRecords: false }), unpack: new Unpackr({ useRecords: false }) };

const scalar = fc.oneof(
  fc.integer({ min: -2147483648, max: 4294967295 }),
  fc.maxSafeNat(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 40 }),
  fc.string({ minLength: 200, maxLength: 400 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.boolean(),
  fc.constant(null),
);
const header = fc.array(fc.oneof(scalar, fc.array(fc.string({ maxLength: 12 }), { maxLength: 20 })), {
  maxLength: 20,
});

describe('header codec (fast MessagePack subset)', () => {
  it('writes plain MessagePack that any decoder reads back', () => {
    fc.assert(
      fc.property(header, (h) => {
        expect(reference.unpack.unpack(Buffer.from(encodeHeaderInto(h)))).toEqual(
          h.map((v) => (Object.is(v, -0) ? 0 : v)),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('reads what a reference encoder writes, including values outside its fast subset', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(scalar, fc.dictionary(fc.string(), fc.integer())), { maxLength: 10 }),
        (h) => {
          expect(decodeHeader(reference.pack.pack(h))).toEqual(
            reference.unpack.unpack(reference.pack.pack(h)),
          );
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('decodes strings of one byte length right when they alternate (the recent-string cache)', () => {
    const topics = ['be.cortexiq.a', 'be.cortexiq.b', 'bé.cortexiq', 'be.cortexiq.a'];
    for (let round = 0; round < 3; round++)
      for (const t of topics)
        expect(decodeHeader(Buffer.from(encodeHeaderInto([10, t, t])))).toEqual([10, t, t]);
  });

  it('round-trips the hot headers exactly', () => {
    const event = [10, 3, 'be.cortexiq.home.measured', 'gw-hub:12', 'macula-hub', 0];
    const mesh = [
      46,
      123456,
      'be-antwerp',
      1763776000123,
      99,
      2,
      ['macula-hub', 'be-brabant'],
      1,
      'be.cortexiq.home.measured',
      'be-antwerp:4',
    ];
    expect(decodeHeader(Buffer.from(encodeHeaderInto(event)))).toEqual(event);
    expect(decodeHeader(Buffer.from(encodeHeaderInto(mesh)))).toEqual(mesh);
  });
});
