/** Test homes by writer lane (apps/projections/model/lanes.ts). */
import { homeHash } from '../../apps/projections/model/home-hash';

/** A home id on lane 0 and one on lane 1 of two (found, not assumed: the hash decides). */
export function homesOnLanes(prefix = 'home'): [string, string] {
  const ids = Array.from({ length: 32 }, (_, i) => `${prefix}-${i}`);
  return [ids.find((h) => homeHash(h) % 2 === 0)!, ids.find((h) => homeHash(h) % 2 === 1)!];
}
