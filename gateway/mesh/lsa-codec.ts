/** LSA frames on mesh links (docs/protocol.md §3): a link-state advertisement as one header, no payload. */
import { encodeFrame } from '../protocol/frames';
import { M } from '../protocol/messages';
import type { Lsa } from './lsdb';

export function encodeLsa(lsa: Lsa): Buffer {
  return encodeFrame([
    M.LSA,
    lsa.origin,
    lsa.epoch,
    lsa.version,
    lsa.neighbors,
    lsa.patterns,
    lsa.procedures,
  ]);
}

/** The LSA in a received header; undefined when it is malformed. */
export function decodeLsa(h: unknown[]): Lsa | undefined {
  const [, origin, epoch, version, neighbors, patterns, procedures] = h;
  if (typeof origin !== 'string' || typeof epoch !== 'number' || typeof version !== 'number')
    return undefined;
  if (!Array.isArray(neighbors) || !Array.isArray(patterns) || !Array.isArray(procedures)) return undefined;
  return { origin, epoch, version, neighbors, patterns, procedures };
}
