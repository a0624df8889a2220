/**
 * End-to-end duplicate filter, by (origin, epoch, id) where ids grow per origin. The mesh uses it
 * for local delivery of mesh messages: links already deliver each message once; this catches the
 * rare copy that a reroute and a later replay can both carry (docs/protocol.md §3: "duplicates are
 * dropped"). The router uses a second one for tracked publications, keyed by the client's
 * pubStream, and the client library one per subscription, for the copies a restarted gateway
 * delivers again (docs/protocol.md §2, republish); so it lives with the protocol, which both sides
 * may use. A sliding bitmap over the last `window` ids does it in O(1) without allocation; an id
 * older than the window counts as seen (it could only be a very late copy).
 */
interface Window {
  epoch: number;
  high: number;
  bits: Uint8Array;
}

export class RecentIds {
  private readonly byOrigin = new Map<string, Window>();
  private readonly window: number;
  private readonly mask: number;
  /** The origin looked up last: a stream of messages mostly repeats it. */
  private lastOrigin = '';
  private last: Window | undefined;

  /**
   * `windowBits`: the window is 2^windowBits ids (2^windowBits / 8 bytes per origin).
   * `maxOrigins`: past it the origin seen least recently is forgotten (its next id counts as new).
   */
  constructor(
    windowBits = 17,
    private readonly maxOrigins = Infinity,
  ) {
    this.window = 1 << windowBits;
    this.mask = this.window - 1;
  }

  get origins(): number {
    return this.byOrigin.size;
  }

  /** True the first time (origin, epoch, id) is seen, false for a duplicate. */
  firstTime(origin: string, epoch: number, id: number): boolean {
    const w = this.windowOf(origin, epoch);
    const mask = this.mask;
    if (id > w.high) {
      // Slide: forget the ids that fall out of the window (only the gap, or all when it is huge).
      if (id - w.high >= this.window) w.bits.fill(0);
      else for (let i = w.high + 1; i < id; i++) w.bits[(i & mask) >> 3] &= ~(1 << (i & 7));
      w.high = id;
      w.bits[(id & mask) >> 3] |= 1 << (id & 7);
      return true;
    }
    if (w.high - id >= this.window) return false;
    const byte = (id & mask) >> 3;
    const bit = 1 << (id & 7);
    if (w.bits[byte] & bit) return false;
    w.bits[byte] |= bit;
    return true;
  }

  private windowOf(origin: string, epoch: number): Window {
    let w = origin === this.lastOrigin ? this.last : undefined;
    if (!w) {
      w = this.byOrigin.get(origin);
      if (w && this.maxOrigins !== Infinity) {
        // Least recently seen first: move this origin to the end of the map's order.
        this.byOrigin.delete(origin);
        this.byOrigin.set(origin, w);
      }
    }
    if (!w || w.epoch !== epoch) {
      w = { epoch, high: 0, bits: new Uint8Array(this.window >> 3) };
      this.byOrigin.set(origin, w);
      if (this.byOrigin.size > this.maxOrigins) {
        const oldest = this.byOrigin.keys().next().value as string;
        this.byOrigin.delete(oldest);
      }
    }
    this.lastOrigin = origin;
    this.last = w;
    return w;
  }
}
