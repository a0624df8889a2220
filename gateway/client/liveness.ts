/**
 * Notices a gateway that died without closing the connection (docs/protocol.md §7). A SIGKILLed
 * gateway resets a TCP connection at once, but over QUIC nothing arrives: the transport's idle
 * timeout would take several seconds, while the client keeps writing into a dead connection (or,
 * subscribed, hears nothing). So while the client waits for something from its gateway
 * (publications not yet acknowledged, replies, events of its subscriptions), a gateway silent for
 * PING_AFTER_MS is pinged and one silent for DEAD_AFTER_MS is given up: the connection is
 * destroyed and the client reconnects, restores its subscriptions and sends again what was not
 * acknowledged. A healthy gateway answers a ping within a round trip, so the silence is telling;
 * an idle subscriber costs its gateway one PING and PONG per PING_AFTER_MS.
 */
import { GatewayError } from '../protocol/errors';
import { M } from '../protocol/messages';
import type { ClientConnection } from './session';

export const PING_AFTER_MS = 750;
export const DEAD_AFTER_MS = 2500;
const CHECK_EVERY_MS = 250;
/** A check this late means this process's own event loop was held up: frames may sit unread. */
const LATE_MS = 500;

export class GatewayLiveness {
  private readonly timer: NodeJS.Timeout;
  private lastCheck = Date.now();
  /** Frames received as of the last check, and since when that count has not moved. */
  private lastReceived = -1;
  private silentSince = Date.now();

  constructor(
    private readonly conn: ClientConnection,
    /** Whether the client waits for the gateway now; silence while it does not is no sign. */
    private readonly waiting: () => boolean,
  ) {
    this.timer = setInterval(() => this.check(), CHECK_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private check(): void {
    const now = Date.now();
    const late = now - this.lastCheck > CHECK_EVERY_MS + LATE_MS;
    this.lastCheck = now;
    if (this.conn.closed) return this.stop();
    if (this.conn.received !== this.lastReceived || late || !this.waiting()) {
      this.lastReceived = this.conn.received;
      this.silentSince = now;
      return;
    }
    const silent = now - this.silentSince;
    if (silent >= DEAD_AFTER_MS) {
      this.stop();
      this.conn.conn.destroy(new GatewayError('unavailable', `gateway silent for ${silent} ms`));
    } else if (silent >= PING_AFTER_MS) this.conn.send([M.PING, now]);
  }
}
