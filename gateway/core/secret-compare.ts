/** Compares a presented secret with the configured one in constant time (no timing oracle). */
import { createHash, timingSafeEqual } from 'node:crypto';

export function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  // Hash both so the comparison never depends on (or leaks) the lengths.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
