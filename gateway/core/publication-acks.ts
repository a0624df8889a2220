/**
 * The numbering and cumulative acknowledgement of one session's tracked publications
 * (docs/protocol.md §2, PUBACK). The client announced its pubStream and the number of its next
 * publication in HELLO; every tracked PUBLISH takes the next number, in order, so no id travels per
 * frame. Once the router has taken a publication on (delivered locally, written to mesh links or
 * held), its number is acknowledged: in batches, every ACK_EVERY publications or ACK_DELAY_MS after
 * the first one not yet acknowledged, whichever comes first — a small frame per batch, never a
 * round trip per message. A publication sent with `ack` is acknowledged at once. A batch that went
 * out on mesh links is acknowledged once those links' next gateways acknowledged it (the
 * links it went out on, `written`), so a crash of this gateway never loses what its client was told is taken:
 * the client still has it and sends it again (docs/loss.md, "Publishers whose gateway dies").
 */
import { encodeFrame } from '../protocol/frames';
import { M } from '../protocol/messages';

/** Publications per PUBACK at most; a fast publisher gets one every this many. */
export const ACK_EVERY = 256;
/** The longest a publication waits for its PUBACK when fewer than ACK_EVERY follow it. */
export const ACK_DELAY_MS = 2;

/** A mesh link as far as acknowledging publications goes (mesh/link.ts). */
export interface AckedLink {
  /** Calls `done` once `seq` is acknowledged on the link (or it went down); false: nothing to wait for. */
  whenAcked(seq: number, done: () => void): boolean;
}

export class PublicationAcks {
  /** The number the next tracked publication gets. */
  private next: number;
  /** The highest number told to the client. */
  private acked: number;
  /** The highest number whose acknowledgement is decided (sent, or waiting for the links). */
  private closed: number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    readonly stream: string,
    firstSeq: number,
    /** Writes a control frame to the client (never dropped, unlike events). */
    private readonly sendControl: (frame: Buffer) => void,
  ) {
    this.next = firstSeq;
    this.acked = this.closed = firstSeq - 1;
  }

  /**
   * The links the publications of the open batch went out on, with the last sequence each: the
   * batch's PUBACK waits for them. Only these: a frozen neighbour this client's publications do
   * not go to never holds its acknowledgements back.
   */
  private readonly links = new Map<AckedLink, number>();
  /** Passed to the mesh while a publication is routed (mesh.ts, LinkWritten). */
  readonly written = (link: AckedLink, seq: number): void => void this.links.set(link, seq);

  /** The number of the tracked publication that just arrived. */
  take(): number {
    return this.next++;
  }

  /** Everything taken so far has been handled: acknowledge it, now or in the coming batch. */
  handled(now: boolean): void {
    const waiting = this.next - 1 - this.closed;
    if (now || waiting >= ACK_EVERY) return this.flush();
    this.timer ??= setTimeout(() => this.flush(), ACK_DELAY_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const upTo = this.next - 1;
    if (upTo <= this.closed) return;
    this.closed = upTo;
    let waiting = 0;
    const one = () => {
      if (--waiting === 0) this.send(upTo);
    };
    for (const [link, seq] of this.links) if (link.whenAcked(seq, one)) waiting++;
    this.links.clear();
    if (waiting === 0) this.send(upTo);
  }

  /**
   * Batches wait for the links in order: a later one's links had everything an earlier one's had
   * (and more), so it cannot finish first; should one still, the cumulative number covers both.
   */
  private send(upTo: number): void {
    if (this.stopped || upTo <= this.acked) return;
    this.acked = upTo;
    this.sendControl(encodeFrame([M.PUBACK, upTo]));
  }

  /** The session ended: nothing more goes out. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
