/**
 * Every message the mesh gives up, counted per destination gateway and reason, and logged with its
 * range at most once per LOG_EVERY_MS per (destination, reason) (docs/loss.md). Nothing the mesh
 * drops may bypass this ledger: it is what makes "sent − received = reported" checkable.
 */
import type { Logger } from 'pino';

/**
 * Why a message was given up (docs/loss.md "Reasons"):
 * - `unroutable`: no route and nothing to wait for (an RPC toward a gateway that is gone);
 * - `hop_limit`: it went round more than MAX_HOPS times while views differed;
 * - `link_overflow`: a down link's replay buffer was full;
 * - `replay_expired`: buffered on a down link that stayed down past MESH_REPLAY_S;
 * - `held_overflow`: held toward an unreachable gateway, but the hold bound was reached;
 * - `held_expired`: held toward a gateway that stayed unreachable past MESH_REPLAY_S;
 * - `forgotten`: published for a gateway whose advertisement had already expired;
 * - `startup_overflow`: published right after a start, beyond the start hold's bound (dest `*`:
 *   the interest was not known yet).
 */
export type LossReason =
  | 'unroutable'
  | 'hop_limit'
  | 'link_overflow'
  | 'replay_expired'
  | 'held_overflow'
  | 'held_expired'
  | 'forgotten'
  | 'startup_overflow';

const LOG_EVERY_MS = 5000;

interface Pending {
  dest: string;
  reason: LossReason;
  count: number;
  first: string;
  last: string;
  from: number;
  to: number;
}

export class LossLedger {
  /** Totals by destination, then reason; only ever grows (Prometheus counters). */
  readonly totals = new Map<string, Map<LossReason, number>>();
  /**
   * Messages counted lost at a link's window expiry that the neighbour turned out to have received
   * before the cut (it says so when the link comes back); lost − retracted is what was lost.
   */
  readonly retracted = new Map<string, number>();
  private pending = new Map<string, Pending>();
  private lastLog = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly log: Logger) {}

  /** `count` messages for `dest` given up; `first`/`last` name the range (origin#msgId). */
  lost(dest: string, reason: LossReason, first: string, last = first, count = 1): void {
    let byReason = this.totals.get(dest);
    if (!byReason) this.totals.set(dest, (byReason = new Map()));
    byReason.set(reason, (byReason.get(reason) ?? 0) + count);
    const key = `${dest}\u0000${reason}`;
    const now = Date.now();
    const p = this.pending.get(key);
    if (p) {
      p.count += count;
      p.last = last;
      p.to = now;
    } else this.pending.set(key, { dest, reason, count, first, last, from: now, to: now });
    this.scheduleLog(now);
  }

  retract(dest: string, count: number, first: string, last: string): void {
    this.retracted.set(dest, (this.retracted.get(dest) ?? 0) + count);
    this.log.info(
      { dest, retracted: count, first, last },
      'mesh messages counted lost at the replay window turned out to have been received',
    );
  }

  /** Total given up for `dest` (all reasons), less what was retracted. */
  netLost(dest: string): number {
    let n = -(this.retracted.get(dest) ?? 0);
    for (const v of this.totals.get(dest)?.values() ?? []) n += v;
    return n;
  }

  private scheduleLog(now: number): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastLog + LOG_EVERY_MS - now);
    this.timer = setTimeout(() => this.flush(), wait);
    this.timer.unref?.();
  }

  /** Log what was given up since the last line, one line per destination and reason. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.lastLog = Date.now();
    for (const p of this.pending.values()) {
      this.log.warn(
        {
          dest: p.dest,
          reason: p.reason,
          lost: p.count,
          first: p.first,
          last: p.last,
          from: new Date(p.from).toISOString(),
          to: new Date(p.to).toISOString(),
        },
        'mesh messages given up',
      );
    }
    this.pending = new Map();
  }

  stop(): void {
    this.flush();
  }
}
