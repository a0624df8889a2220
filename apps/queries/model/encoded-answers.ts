/**
 * Answers as the bytes sent to callers, encoded once per answer (docs/read-side.md, "Queries"):
 * the result cache hands the same answer object to every identical call while it is fresh, and a
 * page of 50 homes took longer to encode (MessagePack, about 4 KB) than the rest of the call.
 * Keyed by the answer object itself, so an answer and its bytes are collected together.
 */
import { encodeOnce, type EncodedPayload } from '../../../gateway/client';

export class EncodedAnswers {
  private readonly bytes = new WeakMap<object, EncodedPayload>();

  /** The answer's encoding, made on its first call; a value that is not an object as it is. */
  of(answer: unknown): unknown {
    if (typeof answer !== 'object' || answer === null) return answer;
    let encoded = this.bytes.get(answer);
    if (!encoded) {
      encoded = encodeOnce(answer);
      this.bytes.set(answer, encoded);
    }
    return encoded;
  }
}
