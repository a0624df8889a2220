/**
 * End-to-end duplicate filter for local delivery of mesh messages. Links already deliver each
 * message once; this catches the rare copy that a reroute and a later replay can both carry
 * (gateway.md §3: "duplicates are dropped"). Bounded: remembers the last `capacity` ids per origin.
 */
export class RecentIds {
  private readonly byOrigin = new Map<string, { epoch: number; seen: Set<number>; ring: number[]; next: number }>();

  constructor(private readonly capacity = 65_536) {}

  /** True the first time (origin, epoch, id) is seen, false for a duplicate. */
  firstTime(origin: string, epoch: number, id: number): boolean {
    let entry = this.byOrigin.get(origin);
    if (!entry || entry.epoch !== epoch) {
      entry = { epoch, seen: new Set(), ring: new Array(this.capacity), next: 0 };
      this.byOrigin.set(origin, entry);
    }
    if (entry.seen.has(id)) return false;
    const slot = entry.next++ % this.capacity;
    const evicted = entry.ring[slot];
    if (evicted !== undefined) entry.seen.delete(evicted);
    entry.ring[slot] = id;
    entry.seen.add(id);
    return true;
  }
}
