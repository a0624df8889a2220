/**
 * The ingest runs of the benchmark. Lag is measured per publisher and tick: from the moment the
 * tick's first event is published to the moment the tick's last events are found committed: the
 * trade of the publisher's last home on each writer's lane (docs/read-side.md, "Two writers").
 * Each lane commits a publisher's events in publish order (one durable queue, batches in order,
 * a home always on the same lane), so then the whole tick is in; the last home alone is not
 * enough, as the other lane's part of the same batch may commit a little later. Polled every 20 ms.
 */
import { writeFileSync } from 'node:fs';
import type { Pool } from 'pg';
import type { ServerProcess } from '../gateway/processes';
import { sleep } from '../gateway/wait';
import { writersFromEnv } from '../../apps/projections/config';
import { homeHash } from '../../apps/projections/model/home-hash';
import { EVENTS_PER_HOME, homeId, publishTick, tickTime, type Publisher } from './load';

export interface IngestResult {
  ticks: number;
  events: number;
  seconds: number;
  /** Committed per second between the first tick's commit and the last's. */
  eventsPerSecond: number;
  /** Committed per second from the first publish to the last commit (the last tick's lag included). */
  fromFirstPublishPerSecond: number;
  lagMs: number[];
  /** The tick (0 = the run's first) of each lagMs sample. */
  lagTick: number[];
}

export interface RunOptions {
  seconds: number;
  firstTick: number;
  /** Seconds into the run at which to call `kill` (the SIGKILL run). */
  killAt?: number[];
  kill?: () => Promise<void>;
  /** A file for each tick's publish, flush and commit times (JSON), to see where the lag is. */
  trace?: string;
  /** Give up waiting for the last ticks after this long. */
  drainTimeoutMs?: number;
}

/** Per lane (the projections' writers, as configured from this environment), the last of `homes`. */
export function lastHomePerLane(homes: readonly number[]): string[] {
  const writers = writersFromEnv(process.env);
  const last = new Map<number, string>();
  for (const i of homes) last.set(homeHash(homeId(i)) % writers, homeId(i));
  return [...last.values()];
}

export async function runIngest(pool: Pool, pubs: Publisher[], o: RunOptions): Promise<IngestResult> {
  const started: number[][] = pubs.map(() => []);
  // Per publisher and tick: handed to the transport, and found committed (BENCH_TRACE).
  const flushed: number[][] = pubs.map(() => []);
  const confirmedAt: number[][] = pubs.map(() => []);
  const confirmed = pubs.map(() => 0);
  const lagMs: number[] = [];
  const lagTick: number[] = [];
  let publishing = true;
  let lastConfirmAt = 0;
  const t0 = Date.now();
  let lastPublish = t0;
  const lastHomes = pubs.map((p) => lastHomePerLane(p.homes));
  const poller = (async () => {
    while (publishing || confirmed.some((c, p) => c < started[p].length)) {
      for (let p = 0; p < pubs.length; p++) {
        const last = lastHomes[p];
        while (confirmed[p] < started[p].length) {
          const tick = o.firstTick + confirmed[p];
          const r = await pool.query(
            'SELECT 1 FROM energy_trades WHERE home_id = ANY($1) AND simulation_time = $2',
            [last, tickTime(tick)],
          );
          if (r.rowCount !== last.length) break;
          lastConfirmAt = Date.now();
          lagMs.push(lastConfirmAt - started[p][confirmed[p]]);
          lagTick.push(confirmed[p]);
          confirmedAt[p].push(lastConfirmAt);
          confirmed[p]++;
        }
      }
      // Reported as it stands (fewer ticks confirmed) rather than thrown: the table still prints.
      // No tick confirmed for this long after publishing ended (e.g. the gateway's durable bound
      // overflowed and dropped events): stop waiting.
      if (!publishing && Date.now() - Math.max(lastPublish, lastConfirmAt) > (o.drainTimeoutMs ?? 60_000))
        break;
      await sleep(20);
    }
  })();
  // Should the run fail (a restart that does not come up), its error is what is reported, not
  // the poller's on the pool closed after it.
  poller.catch(() => undefined);
  const kills = [...(o.killAt ?? [])];
  let killing: Promise<void> | undefined;
  for (let t = 0; t < o.seconds; t++) {
    const due = t0 + t * 1000;
    if (Date.now() < due) await sleep(due - Date.now());
    if (kills.length > 0 && t >= kills[0] && o.kill) {
      kills.shift();
      const kill = o.kill;
      // One kill at a time: the next waits for the previous restart.
      killing = (killing ?? Promise.resolve()).then(() => kill());
    }
    const tick = o.firstTick + t;
    await Promise.all(
      pubs.map((p, i) => {
        started[i].push(Date.now());
        return publishTick(p, tick).then(() => void flushed[i].push(Date.now()));
      }),
    );
    lastPublish = Date.now();
  }
  publishing = false;
  await killing;
  await poller;
  if (o.trace) writeFileSync(o.trace, JSON.stringify({ started, flushed, confirmedAt }));
  // Events of the ticks found committed (all of them unless the drain timed out).
  const events = pubs.reduce((n, p, i) => n + confirmed[i] * p.homes.length, 0) * EVENTS_PER_HOME;
  const seconds = (lastConfirmAt - t0) / 1000;
  // The sustained rate: what was committed after the first tick was in, over the time it took.
  // Measured from the first publish instead, the rate would also carry the last tick's lag (reported
  // apart) and read below the offered rate whenever that lag passes one tick period.
  const firstIn = Math.max(...confirmedAt.map((c) => c[0] ?? Infinity));
  const firstTickEvents = pubs.reduce((n, p) => n + p.homes.length, 0) * EVENTS_PER_HOME;
  const steadyPerSecond =
    Number.isFinite(firstIn) && lastConfirmAt > firstIn
      ? ((events - firstTickEvents) * 1000) / (lastConfirmAt - firstIn)
      : events / seconds;
  return {
    ticks: o.seconds,
    events,
    seconds,
    eventsPerSecond: steadyPerSecond,
    fromFirstPublishPerSecond: events / seconds,
    lagMs,
    lagTick,
  };
}

export function percentile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
}

/** Exact reference counts after all runs: every event once, each trade's 1 kWh counted once. */
export async function checkExactlyOnce(pool: Pool, homes: number, ticks: number, lastTick: number) {
  const q = async (sql: string, params: unknown[] = []) => Number((await pool.query(sql, params)).rows[0].v);
  const expected = homes * ticks;
  const rows = {
    energy_events: await q('SELECT count(*) AS v FROM energy_events'),
    energy_trades: await q('SELECT count(*) AS v FROM energy_trades'),
    trade_kwh_counted: await q('SELECT sum(trades_import_kwh) AS v FROM home_states'),
    home_states: await q('SELECT count(*) AS v FROM home_states'),
    latest_balance: await q('SELECT count(*) AS v FROM home_states WHERE balance_at = $1', [
      tickTime(lastTick),
    ]),
  };
  const reference = {
    energy_events: expected,
    energy_trades: expected,
    trade_kwh_counted: expected,
    home_states: homes,
    latest_balance: homes,
  };
  return {
    rows,
    reference,
    exact: Object.entries(reference).every(([k, v]) => rows[k as keyof typeof rows] === v),
  };
}

/** SIGKILL the projections process group and start a new one. */
export function killer(get: () => ServerProcess, restart: () => Promise<void>): () => Promise<void> {
  return async () => {
    const p = get();
    try {
      process.kill(-p.pid, 'SIGKILL');
    } catch {
      p.child.kill('SIGKILL');
    }
    await new Promise<void>((r) =>
      p.child.exitCode !== null || p.child.signalCode !== null ? r() : p.child.once('exit', () => r()),
    );
    await restart();
  };
}
