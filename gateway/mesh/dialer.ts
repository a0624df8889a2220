/**
 * Keeps one configured peer URL connected (docs/protocol.md §3): dial, handshake, and on failure or loss
 * redial with capped exponential backoff plus jitter. Once the peer behind the URL is known, the
 * dialer stays idle while a link to that peer is up, whichever side dialed it.
 */
import type { Logger } from 'pino';
import type { PeerUrl } from '../core/config';

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5000;
const WATCH_MS = 250;

export interface DialerHooks {
  /** Dial and run the handshake; resolves with the peer's gateway id once the link is adopted. */
  connect(peer: PeerUrl): Promise<string>;
  /** Is there a live link to this gateway right now (dialed by either side)? */
  isLinked(peerId: string): boolean;
}

export class PeerDialer {
  peerId: string | undefined;
  attempts = 0;
  lastError: string | undefined;
  private backoff = MIN_BACKOFF_MS;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Resolves after the first attempt finished, whatever its outcome (for /ready). */
  readonly firstAttempt: Promise<void>;
  private markTried!: () => void;

  constructor(
    readonly peer: PeerUrl,
    private readonly hooks: DialerHooks,
    private readonly log: Logger,
  ) {
    this.firstAttempt = new Promise((r) => (this.markTried = r));
  }

  start(): void {
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.attempt(), ms);
    this.timer.unref?.();
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    if (this.peerId && this.hooks.isLinked(this.peerId)) {
      // Linked (by either side's dial): look again soon, so a lost link is redialed quickly.
      this.schedule(WATCH_MS);
      return;
    }
    this.attempts++;
    try {
      this.peerId = await this.hooks.connect(this.peer);
      this.lastError = undefined;
      this.backoff = MIN_BACKOFF_MS;
      this.markTried();
      this.schedule(WATCH_MS);
    } catch (err) {
      this.lastError = (err as Error).message;
      if (this.attempts === 1 || this.attempts % 20 === 0) {
        this.log.warn(
          { peer: this.peer.url, attempts: this.attempts, err: this.lastError },
          'mesh peer not reachable yet; retrying',
        );
      }
      this.markTried();
      this.schedule(this.jitter(this.backoff));
      this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    }
  }

  private jitter(ms: number): number {
    return Math.round(ms * (0.75 + Math.random() * 0.5));
  }
}
