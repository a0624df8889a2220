/**
 * Publications held toward gateways that are unreachable right now (docs/loss.md "Holding"). A
 * message whose destination has no route (its next hop is up but the path beyond broke, or views
 * still differ) waits here, in order, while the destination's advertisement is valid, and goes out
 * once the destination is reachable again. Bounded in bytes for all destinations together; the
 * payload is copied, because the one received is a view into a read buffer that must not be kept.
 */
import type { MeshMessage } from './link';
import { seqsFor } from './partition';

/** Per message: what the queue entry costs beyond its payload (object, strings shared). */
const OVERHEAD_BYTES = 96;

export class HeldMessages {
  private readonly queues = new Map<string, MeshMessage[]>();
  private bytes = 0;
  private count = 0;

  constructor(private readonly maxBytes: number) {}

  get heldCount(): number {
    return this.count;
  }

  get heldBytes(): number {
    return this.bytes;
  }

  /** Hold `msg` for `dest` alone; false when the bound is reached (the caller counts the loss). */
  hold(dest: string, msg: MeshMessage): boolean {
    const size = msg.payload.length + OVERHEAD_BYTES;
    if (this.bytes + size > this.maxBytes) return false;
    let q = this.queues.get(dest);
    if (!q) this.queues.set(dest, (q = []));
    q.push({ ...msg, dests: [dest], destSeqs: seqsFor(msg, [dest]), payload: Buffer.from(msg.payload) });
    this.bytes += size;
    this.count++;
    return true;
  }

  destinations(): string[] {
    return [...this.queues.keys()];
  }

  /** Everything held for `dest`, oldest first, and forget it (to send it, or to count it lost). */
  take(dest: string): MeshMessage[] {
    const q = this.queues.get(dest);
    if (!q) return [];
    this.queues.delete(dest);
    for (const m of q) this.bytes -= m.payload.length + OVERHEAD_BYTES;
    this.count -= q.length;
    return q;
  }
}
