/**
 * The projections' write path (docs/read-side.md): events arrive one by one from the durable
 * subscription; each handler call returns a promise that settles when the event's batch has
 * committed, so the client acknowledges it to the gateway only then. Batches close at `maxBatch`
 * events or `flushMs` after their first event. A batch is split by home over `writers` lanes
 * (model/lanes.ts), one connection and transaction each; a lane commits its parts in batch order,
 * and the lanes run at once (lane-scheduler.ts), so one writer starts its part of the next batch
 * while the other finishes this one. A batch counts as committed (and its events are acknowledged)
 * only once every part has; the client acknowledges only the prefix of committed events, so a
 * later batch finishing first acknowledges nothing early. A crash between the parts' commits
 * replays the whole batch, which the write path makes a no-op for what is already in
 * (docs/read-side.md, "Exactly once"). A batch holding a reset runs alone, between the others.
 *
 * PostgreSQL unavailable: the batch is retried with capped backoff until it commits; events keep
 * arriving (the client's window bounds them, the gateway holds the rest) and are written once it
 * is back. A batch the database refuses for its content is split down to single events, so one
 * bad event is logged and skipped instead of stopping the read side.
 */
import type { Pool } from 'pg';
import { TOPICS } from '../shared/contract';
import { isUnavailable } from '../shared/db/errors';
import type { Logger } from '../shared/logger';
import { LaneScheduler } from './lane-scheduler';
import { holdsReset, splitLanes, type LanePart } from './model/lanes';
import { planBatch, stagedEvent, type Applied, type Planned } from './model/plan';
import { prepareWriter, runSteps, segmentSteps, warmWriter, type Step } from './writer';

export interface IngestOptions {
  maxBatch: number;
  flushMs: number;
  /** Lanes (connections) a batch's parts commit on at once (default 1). */
  writers?: number;
  /** Backoff bounds while the database is unavailable. */
  retryMinMs?: number;
  retryMaxMs?: number;
}

/**
 * Events that commit together. Its handlers all share one promise (not one per event: at tens of
 * thousands of events a second the promises were a visible part of the garbage collector's work).
 */
interface Batch {
  /** The ticks' events as their staged rows (made on arrival), the others as validated. */
  events: Planned[];
  /** Receipt of its first event. */
  firstAt: number;
  /** When it stopped taking events (for the per-batch debug log). */
  closedAt: number;
  /** Its parts (one per lane) and their steps, planned when it closed (while the batches before it commit). */
  parts: Part[];
  committed: Promise<void>;
  resolve: () => void;
}

/** The events of a batch one lane commits, in one transaction. */
interface Part extends LanePart {
  steps: Step[];
}

function openBatch(): Batch {
  let resolve!: () => void;
  const committed = new Promise<void>((r) => (resolve = r));
  return { events: [], firstAt: Date.now(), closedAt: 0, parts: [], committed, resolve };
}

const stepsOf = (events: readonly Planned[]): Step[] => planBatch(events).flatMap(segmentSteps);

export class IngestQueue {
  /** The batch taking events. */
  private open: Batch | undefined;
  /** Closed batches not yet committed by every lane, oldest first. */
  private inFlight: Batch[] = [];
  private readonly lanes: LaneScheduler;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Events committed since start. */
  committed = 0;
  batches = 0;
  lastBatchSize = 0;
  /** Receipt → commit of the oldest event of the last batch. */
  lastLagMs = 0;
  /** Commits that failed (each retried). */
  dbErrors = 0;
  /** Events skipped because the database refused them on their own. */
  rejected = 0;
  unavailableSince: number | undefined;
  /** home.measured events committed, for measurements/s. */
  measured = 0;

  /** Called right after each commit, before any of its events is acknowledged (tests crash here). */
  onCommitted: ((events: number) => void) | undefined;
  /** Awaited before a part's COMMIT, with its lane (tests crash between the parts). */
  beforePartCommit: ((lane: number) => Promise<void> | void) | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly log: Logger,
    private readonly options: IngestOptions,
  ) {
    this.lanes = new LaneScheduler(options.writers ?? 1);
  }

  /** Events received and not yet committed. */
  get queued(): number {
    let n = this.open?.events.length ?? 0;
    for (const b of this.inFlight) n += b.events.length;
    return n;
  }

  /** How long the oldest event not yet committed has waited (0 when none waits). */
  lagNowMs(): number {
    const oldest = this.inFlight[0]?.firstAt ?? this.open?.firstAt;
    return oldest === undefined ? 0 : Date.now() - oldest;
  }

  /** Resolves once the event is committed. */
  add(applied: Applied): Promise<void> {
    const batch = (this.open ??= openBatch());
    batch.events.push(stagedEvent(applied, batch.events.length + 1) ?? applied);
    if (batch.events.length >= this.options.maxBatch) this.close();
    else this.timer ??= setTimeout(() => this.onFlushTimer(), this.options.flushMs);
    return batch.committed;
  }

  /**
   * The open batch is due. While commits run it keeps taking events instead (up to maxBatch): it
   * closes when they end, so a busy database gets fewer, larger batches.
   */
  private onFlushTimer(): void {
    this.timer = undefined;
    if (this.inFlight.length === 0) this.close();
  }

  /** Closes the open batch: planned now, each part committed after the parts before it on its lane. */
  private close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.open;
    if (!batch || this.stopped) return;
    this.open = undefined;
    batch.closedAt = Date.now();
    const alone = holdsReset(batch.events);
    batch.parts = splitLanes(batch.events, alone ? 1 : this.lanes.lanes).map((p) => ({
      ...p,
      steps: stepsOf(p.events),
    }));
    this.inFlight.push(batch);
    const runs = alone
      ? batch.parts.map((p) => this.lanes.barrier(() => this.commitPart(p)))
      : batch.parts.map((p) => this.lanes.on(p.lane, () => this.commitPart(p)));
    Promise.all(runs)
      .then((times) => this.committedBatch(batch, times))
      // Stopped (or a hook failed): never acknowledged, so the gateway replays the batch.
      .catch((err: unknown) => this.log.error({ err }, 'ingest stopped with a batch unacknowledged'));
  }

  /** Commits one part; resolves with its [start, end] times (the per-batch debug log). */
  private async commitPart(p: Part): Promise<[number, number]> {
    // Stopping: parts not started are left to the replay (their batch is never acknowledged).
    if (this.stopped) throw new Error('ingest stopped');
    const start = Date.now();
    await this.commitWithRetry(p.events, p.lane, p.steps);
    return [start, Date.now()];
  }

  /** Every part of `batch` committed: count it and let its events be acknowledged. */
  private committedBatch(batch: Batch, times: Array<[number, number]>): void {
    const commitAt = Math.min(...times.map(([start]) => start));
    this.log.debug(
      {
        events: batch.events.length,
        part_ms: times.map(([, end]) => end - commitAt),
        first_at: batch.firstAt,
        closed_at: batch.closedAt,
        commit_at: commitAt,
        committed_at: Date.now(),
      },
      'batch committed',
    );
    this.inFlight.splice(this.inFlight.indexOf(batch), 1);
    this.lastBatchSize = batch.events.length;
    this.lastLagMs = Date.now() - batch.firstAt;
    this.batches++;
    this.committed += batch.events.length;
    for (const a of batch.events) if (a.topic === TOPICS.homeMeasured) this.measured++;
    this.onCommitted?.(batch.events.length);
    batch.resolve();
    if (this.stopped || this.inFlight.length > 0 || !this.open) return;
    // Came due while the commits ran.
    if (Date.now() - this.open.firstAt >= this.options.flushMs) this.close();
    else this.timer ??= setTimeout(() => this.onFlushTimer(), this.options.flushMs);
  }

  private async commitWithRetry(events: Planned[], lane: number, steps = stepsOf(events)): Promise<void> {
    let delay = this.options.retryMinMs ?? 250;
    for (;;) {
      try {
        await this.commit(steps, lane);
        if (this.unavailableSince !== undefined) {
          this.log.info({ down_ms: Date.now() - this.unavailableSince }, 'database back: catching up');
          this.unavailableSince = undefined;
        }
        return;
      } catch (err) {
        this.dbErrors++;
        if (this.stopped) throw err;
        if (isUnavailable(err)) {
          if (this.unavailableSince === undefined) {
            this.unavailableSince = Date.now();
            this.log.warn({ err: (err as Error).message }, 'database unavailable: holding events, retrying');
          }
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, this.options.retryMaxMs ?? 5000);
          continue;
        }
        await this.commitApart(events, lane, err);
        return;
      }
    }
  }

  /** The database refused the batch itself: find the event(s) it refuses, skip them, keep the rest. */
  private async commitApart(batch: Planned[], lane: number, cause: unknown): Promise<void> {
    if (batch.length === 1) {
      this.rejected++;
      const { topic, event } = batch[0];
      this.log.error(
        { topic, event_id: event.event_id, err: (cause as Error).message },
        'event refused by the database: skipped',
      );
      return;
    }
    const half = Math.ceil(batch.length / 2);
    for (const part of [batch.slice(0, half), batch.slice(half)]) await this.commitWithRetry(part, lane);
  }

  private async commit(steps: readonly Step[], lane: number): Promise<void> {
    if (steps.length === 0) return;
    const db = await this.pool.connect();
    try {
      await prepareWriter(db);
      await db.query('BEGIN');
      await runSteps(db, steps);
      await this.beforePartCommit?.(lane);
      await db.query('COMMIT');
    } catch (err) {
      await db.query('ROLLBACK').catch(() => undefined);
      // A broken connection must not go back to the pool.
      db.release(isUnavailable(err) ? (err as Error) : undefined);
      throw err;
    }
    db.release();
  }

  /**
   * Opens the writers' connections and prepares what their first batch needs (staging table,
   * the moving statement's plan) before any event arrives: the first ticks otherwise pay for it
   * while the backlog of a cold start builds. A database that is not there yet is not an error
   * here: the first commit waits for it.
   */
  async warm(): Promise<void> {
    const writers = this.options.writers ?? 1;
    const held = await Promise.allSettled(Array.from({ length: writers }, () => this.pool.connect()));
    await Promise.all(
      held.map(async (c) => {
        if (c.status !== 'fulfilled') return;
        try {
          await warmWriter(c.value);
          c.value.release();
        } catch (err) {
          c.value.release(err as Error);
          this.log.warn({ err: (err as Error).message }, 'writer not warmed');
        }
      }),
    );
  }

  /**
   * Finishes the parts being committed (or gives up on them if the database is down) and takes no
   * more; what is left was never acknowledged, so the gateway replays it to the next run.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.lanes.idle();
  }
}
