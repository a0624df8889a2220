/**
 * The queries app sends a cached answer as the bytes it was encoded to for its first caller
 * (apps/queries/model/encoded-answers.ts): what a caller decodes is the answer itself.
 */
import { EncodedAnswers } from '../../apps/queries/model/encoded-answers';
import { EncodedPayload } from '../../gateway/client';
import { decodePayload, encodePayload } from '../../gateway/protocol/frames';

describe('encoded answers', () => {
  const answer = {
    homes: [
      { home_id: 'h-1', name: 'Home 1', production_w: 1200.5, connected: true, simulation_time: null },
      { home_id: 'h-2', name: 'Home 2', production_w: 0, connected: false, simulation_time: null },
    ],
    page: 1,
    total: 2,
  };

  it('encodes an answer once and sends those bytes, which decode to the answer', () => {
    const encoded = new EncodedAnswers();
    const first = encoded.of(answer);
    expect(first).toBeInstanceOf(EncodedPayload);
    expect(encoded.of(answer)).toBe(first);
    const bytes = encodePayload(first);
    expect(bytes).toBe((first as EncodedPayload).bytes);
    expect(decodePayload(bytes)).toEqual(answer);
  });

  it('encodes a different answer object of its own, and passes values that are not objects', () => {
    const encoded = new EncodedAnswers();
    const other = { ...answer, page: 2 };
    expect(decodePayload(encodePayload(encoded.of(other)))).toEqual(other);
    expect(encoded.of(other)).not.toBe(encoded.of(answer));
    expect(encoded.of(undefined)).toBeUndefined();
    expect(encoded.of(3)).toBe(3);
  });
});
