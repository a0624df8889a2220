/**
 * Where a client stands in one durable subscription (docs/protocol.md §2, "epoch"): what it has
 * handled and what it has taken in, in the numbering of the subscription's current epoch. On every
 * SUBSCRIBED it compares epochs: a different one (the gateway forgot the subscription and numbers
 * from 1 again) starts over at the gateway's position, so an old, higher acknowledgement never
 * acknowledges away events not yet handled; the same one means events it has already taken in
 * are replays, skipped instead of handed to the handler twice.
 */
export type Admission =
  /** New: hand it to the handler. */
  | 'handle'
  /** Handled already: acknowledge again (the gateway lost that acknowledgement), do not hand it. */
  | 'acknowledge'
  /** Taken in and still being handled: its acknowledgement follows when the handler finishes. */
  | 'skip';

export class DurableCursor {
  private epoch: string | undefined;
  /** Highest sequence whose events, and every one before, the handler has finished. */
  handledSeq = 0;
  /** Highest sequence taken in (handed to the handler, or waiting for the window). */
  private takenSeq = 0;
  /**
   * Counts epoch changes: a handler that started under an earlier one finishes with numbers of the
   * old numbering, which must not be acknowledged under the new one.
   */
  generation = 0;

  /**
   * A SUBSCRIBED answered: `epoch` and `ackedSeq` are what the gateway sent (undefined from a
   * gateway that predates epochs: then nothing changes, as before).
   */
  subscribed(epoch: unknown, ackedSeq: unknown): void {
    if (typeof epoch !== 'string' || typeof ackedSeq !== 'number') return;
    if (epoch !== this.epoch) {
      this.epoch = epoch;
      this.generation++;
      this.handledSeq = ackedSeq;
      this.takenSeq = ackedSeq;
      return;
    }
    // Same numbering: what the gateway holds as acknowledged (or dropped) needs no handling here.
    this.handledSeq = Math.max(this.handledSeq, ackedSeq);
    this.takenSeq = Math.max(this.takenSeq, ackedSeq);
  }

  admit(seq: number): Admission {
    // A gateway without epochs: its numbers may start over unseen, so nothing can be skipped.
    if (this.epoch === undefined) return 'handle';
    if (seq <= this.handledSeq) return 'acknowledge';
    if (seq <= this.takenSeq) return 'skip';
    this.takenSeq = seq;
    return 'handle';
  }

  /** The handler finished every event up to `seq` (of `generation`); false if from an older epoch. */
  handled(seq: number, generation: number): boolean {
    if (generation !== this.generation) return false;
    if (seq > this.handledSeq) this.handledSeq = seq;
    return true;
  }
}
