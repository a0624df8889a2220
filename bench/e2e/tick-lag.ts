/**
 * End-to-end lag of the read side as a user of the dashboard sees it: from the clock's tick reaching
 * the hub to every home's measurement of that tick committed in PostgreSQL. A subscriber at the hub
 * notes when each tick arrives; a poller reads the oldest `measured_at` over all homes of
 * `home_states` (docs/read-side.md): once every home is at or past a tick, that tick is in. One
 * aggregate over a row per home, so polling ten times a second costs the database little.
 */
import { Client } from 'pg';
import { connect, type GatewayClient } from '../../gateway/client';
import { TOPICS } from '../../apps/shared/contract';

export interface TickLag {
  tick: number;
  /** Wall-clock ms from the tick at the hub to the last of its homes' rows committed; undefined: not yet. */
  lagMs?: number;
}

export class TickLagProbe {
  private readonly arrivals = new Map<string, { tick: number; at: number }>();
  private readonly done = new Map<string, number>();
  /** Homes with a measurement committed, at the last poll. */
  measuredHomes = 0;
  private polling?: NodeJS.Timeout;
  private busy = false;

  private constructor(
    private readonly client: GatewayClient,
    private readonly db: Client,
    private readonly homes: number,
  ) {}

  static async start(hubUrl: string, databaseUrl: string, homes: number): Promise<TickLagProbe> {
    const client = await connect({
      url: hubUrl,
      realm: 'be.cortexiq.energy',
      insecure: true,
      clientId: 'bench-e2e',
    });
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    const probe = new TickLagProbe(client, db, homes);
    await client.subscribe(TOPICS.timeAdvanced, (p) => {
      const t = p as { simulation_time: string; tick: number };
      probe.arrivals.set(new Date(t.simulation_time).toISOString(), { tick: t.tick, at: Date.now() });
    });
    probe.polling = setInterval(() => void probe.poll(), 100);
    return probe;
  }

  private async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const res = await this.db.query<{ n: string; oldest: Date | null }>(
        'SELECT count(measured_at) AS n, min(measured_at) AS oldest FROM home_states',
      );
      const row = res.rows[0]!;
      this.measuredHomes = Number(row.n);
      if (this.measuredHomes < this.homes || !row.oldest) return;
      const now = Date.now();
      for (const key of this.arrivals.keys()) {
        if (!this.done.has(key) && Date.parse(key) <= row.oldest.getTime()) this.done.set(key, now);
      }
    } catch {
      // The database restarting or busy: the next poll tries again.
    } finally {
      this.busy = false;
    }
  }

  /** Ticks that arrived within [from, to] (wall-clock ms). */
  ticksBetween(from: number, to: number): TickLag[] {
    return [...this.arrivals]
      .filter(([, a]) => a.at >= from && a.at <= to)
      .map(([key, a]) => {
        const done = this.done.get(key);
        return { tick: a.tick, ...(done ? { lagMs: done - a.at } : {}) };
      });
  }

  async close(): Promise<void> {
    clearInterval(this.polling);
    await this.client.close().catch(() => undefined);
    await this.db.end().catch(() => undefined);
  }
}
