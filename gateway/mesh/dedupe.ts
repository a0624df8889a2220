/**
 * End-to-end duplicate filter for local delivery of mesh messages. Links already deliver each
 * message once; this catches the rare copy that a reroute and a later replay can both carry
 * (docs/protocol.md §3: "duplicates are dropped"). Message ids grow per origin, so a sliding bitmap over
 * the last WINDOW ids does it in O(1) without allocation; an id older than the window counts as
 * seen (it could only be a very late replay copy).
 */
const WINDOW = 1 << 17;
const MASK = WINDOW - 1;

interface Window {
  epoch: number;
  high: number;
  bits: Uint8Array;
}

export class RecentIds {
  private readonly byOrigin = new Map<string, Window>();

  /** True the first time (origin, epoch, id) is seen, false for a duplicate. */
  firstTime(origin: string, epoch: number, id: number): boolean {
    let w = this.byOrigin.get(origin);
    if (!w || w.epoch !== epoch) {
      w = { epoch, high: 0, bits: new Uint8Array(WINDOW >> 3) };
      this.byOrigin.set(origin, w);
    }
    if (id > w.high) {
      // Slide: forget the ids that fall out of the window (only the gap, or all when it is huge).
      if (id - w.high >= WINDOW) w.bits.fill(0);
      else for (let i = w.high + 1; i < id; i++) w.bits[(i & MASK) >> 3] &= ~(1 << (i & 7));
      w.high = id;
      w.bits[(id & MASK) >> 3] |= 1 << (id & 7);
      return true;
    }
    if (w.high - id >= WINDOW) return false;
    const byte = (id & MASK) >> 3;
    const bit = 1 << (id & 7);
    if (w.bits[byte] & bit) return false;
    w.bits[byte] |= bit;
    return true;
  }
}
