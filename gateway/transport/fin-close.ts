/**
 * The graceful close both QUIC stacks share (docs/protocol.md §1): closing the connection at once would
 * discard stream data still in flight, so a close is a FIN exchange. The side that closes first
 * sends FIN after its last bytes and waits for the peer's FIN, which the peer sends after reading
 * everything (it answers FIN with FIN); then it closes the connection. Each wait is bounded, so
 * close never hangs.
 */
import { BaseConnection } from './base-connection';

/** How long a graceful close waits for the peer before closing anyway. */
export const CLOSE_GRACE_MS = 3_000;

export abstract class FinCloseConnection extends BaseConnection {
  abstract override readonly remoteAddress: string;
  protected remoteFinished = false;
  protected localFinished = false;

  /** @param onEnded runs once after the connection ended (a dialer closes its endpoint there) */
  constructor(private readonly onEnded: (() => void) | undefined) {
    super();
  }

  /** Sends FIN after every byte already handed to the transport. */
  protected abstract sendFin(): void | Promise<void>;
  /** Drops the connection at the transport at once. */
  protected abstract abortTransport(): void;

  close(): void {
    if (this.ending || this.isClosed) return;
    this.ending = true;
    this.flush();
    // Bound the wait for the peer's FIN; past it the peer's last bytes may be missing, so say so.
    const limit = CLOSE_GRACE_MS * 2;
    setTimeout(
      () =>
        this.abortNow(
          new Error(`quic close to ${this.remoteAddress}: peer did not finish within ${limit} ms`),
        ),
      limit,
    ).unref();
  }

  destroy(err?: Error): void {
    if (this.isClosed) return;
    this.ending = true;
    this.abortNow(err);
  }

  /** Call once everything queued was handed over after close(). */
  protected async finishSending(): Promise<void> {
    if (this.localFinished) return;
    this.localFinished = true;
    try {
      await this.sendFin();
    } catch {
      // The stream is already gone; the close path still ends the connection.
    }
    // The peer's FIN came first: it closed first and will close the connection once it reads ours.
    if (this.remoteFinished) setTimeout(() => this.abortNow(), CLOSE_GRACE_MS).unref();
  }

  /** The peer's FIN arrived: every byte it sent has been delivered. */
  protected remoteFinish(): void {
    this.remoteFinished = true;
    // We closed first: the peer has sent everything and read our FIN, so nothing is lost now.
    if (this.localFinished) this.abortNow();
    else this.close();
  }

  protected abortNow(err?: Error): void {
    if (this.isClosed) return;
    this.abortTransport();
    this.end(err);
  }

  protected end(err?: Error): void {
    if (this.isClosed) return;
    this.finish(err);
    this.onEnded?.();
  }
}
