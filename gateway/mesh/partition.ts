/**
 * The forwarding step (docs/protocol.md §3), pure so it can be checked on every small graph: split a
 * message's destinations into "deliver here" and one group per next hop. Each destination lands in
 * exactly one group, which is what makes mesh delivery duplicate-free by construction.
 */
import type { MeshMessage } from './link';

export interface Partition {
  local: boolean;
  groups: Map<string, string[]>;
  unroutable: string[];
}

export function partitionByNextHop(
  dests: readonly string[],
  self: string,
  route: (dest: string) => string | undefined,
): Partition {
  const out: Partition = { local: false, groups: new Map(), unroutable: [] };
  for (const dest of dests) {
    if (dest === self) {
      out.local = true;
      continue;
    }
    const hop = route(dest);
    if (!hop) {
      out.unroutable.push(dest);
      continue;
    }
    const group = out.groups.get(hop);
    if (group) group.push(dest);
    else out.groups.set(hop, [dest]);
  }
  return out;
}

/** The origin's sequence numbers of `msg` toward `dests` (a subset of its destinations), in order. */
export function seqsFor(msg: MeshMessage, dests: readonly string[]): number[] {
  return dests.map((d) => msg.destSeqs[msg.dests.indexOf(d)] ?? 0);
}
