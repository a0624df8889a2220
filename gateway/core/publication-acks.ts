/**
 * The numbering and cumulative acknowledgement of one session's tracked publications
 * (docs/protocol.md §2, PUBACK). The client announced its pubStream and the number of its next
 * publication in HELLO; every tracked PUBLISH takes the next number, in order, so no id travels per
 * frame. Once the router has taken a publication on (delivered locally, written to mesh links or
 * held), its number is acknowledged: in batches, every ACK_EVERY publications or ACK_DELAY_MS after
 * the first one not yet acknowledged, whichever comes first — a small frame per batch, never a
 * round trip per message. A publication sent with `ack` is acknowledged at once.
 */
import { encodeFrame } from '../protocol/frames';
import { M } from '../protocol/messages';

/** Publications per PUBACK at most; a fast publisher gets one every this many. */
export const ACK_EVERY = 256;
/** The longest a publication waits for its PUBACK when fewer than ACK_EVERY follow it. */
export const ACK_DELAY_MS = 2;

export class PublicationAcks {
  /** The number the next tracked publication gets. */
  private next: number;
  private acked: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly stream: string,
    firstSeq: number,
    /** Writes a control frame to the client (never dropped, unlike events). */
    private readonly sendControl: (frame: Buffer) => void,
  ) {
    this.next = firstSeq;
    this.acked = firstSeq - 1;
  }

  /** The number of the tracked publication that just arrived. */
  take(): number {
    return this.next++;
  }

  /** Everything taken so far has been handled: acknowledge it, now or in the coming batch. */
  handled(now: boolean): void {
    const waiting = this.next - 1 - this.acked;
    if (now || waiting >= ACK_EVERY) return this.flush();
    this.timer ??= setTimeout(() => this.flush(), ACK_DELAY_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const upTo = this.next - 1;
    if (upTo <= this.acked) return;
    this.acked = upTo;
    this.sendControl(encodeFrame([M.PUBACK, upTo]));
  }

  /** The session ended: nothing more goes out. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
