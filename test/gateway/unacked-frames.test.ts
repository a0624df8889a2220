import fc from 'fast-check';
import { UnackedFrames } from '../../gateway/mesh/unacked-frames';

describe('UnackedFrames', () => {
  it('holds frames in order across growth and wrap-around, like a plain array of them', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.record({ push: fc.integer({ min: 1, max: 3000 }) }), fc.record({ ack: fc.nat(50) })),
          {
            maxLength: 200,
          },
        ),
        (ops) => {
          const store = new UnackedFrames();
          const model: { seq: number; frame: Buffer }[] = [];
          const chunk = Buffer.alloc(64 * 1024);
          for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 7) & 0xff;
          let seq = 0;
          let acked = 0;
          for (const op of ops) {
            if ('push' in op) {
              // Enough frames per step to pass the initial capacity and wrap around.
              for (let n = 0; n < op.push; n++) {
                const at = (seq * 13) % 60_000;
                store.push(++seq, chunk, at, 100);
                model.push({ seq, frame: chunk.subarray(at, at + 100) });
              }
            } else {
              acked = Math.min(seq, acked + op.ack * 100);
              store.dropThrough(acked);
              while (model.length > 0 && model[0].seq <= acked) model.shift();
              store.trim();
            }
            expect(store.count).toBe(model.length);
            expect(store.bytes).toBe(model.length * 100);
          }
          for (let k = 0; k < model.length; k++) {
            expect(store.seqAt(k)).toBe(model[k].seq);
            expect(store.frameAt(k).equals(model[k].frame)).toBe(true);
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('evicts from the oldest end and empties', () => {
    const store = new UnackedFrames();
    const buf = Buffer.from('abcdef');
    store.push(1, buf, 0, 2);
    store.push(2, buf, 2, 2);
    store.push(5, buf, 4, 2);
    expect(store.shift()).toBe(1);
    expect(store.bytes).toBe(4);
    expect(store.frameAt(0).toString()).toBe('cd');
    store.dropThrough(4);
    expect(store.seqAt(0)).toBe(5);
    store.clear();
    expect(store.count).toBe(0);
    expect(store.bytes).toBe(0);
  });
});
