/**
 * The projections' write path (docs/read-side.md): events arrive one by one from the durable
 * subscription; each handler call returns a promise that settles when the event's batch has
 * committed, so the client acknowledges it to the gateway only then. Batches close at `maxBatch`
 * events or `flushMs` after their first event, and commit one at a time, in arrival order. A batch
 * is split by home over `writers` connections (model/lanes.ts) whose transactions commit
 * concurrently; the batch counts as committed (and its events are acknowledged) only once every
 * part has. A crash between the parts' commits replays the whole batch, which the write path
 * makes a no-op for what is already in (docs/read-side.md, "Exactly once").
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
import { splitLanes } from './model/lanes';
import { planBatch, stagedEvent, type Applied, type Planned } from './model/plan';
import { prepareWriter, runSteps, segmentSteps, warmWriter, type Step } from './writer';

export interface IngestOptions {
  maxBatch: number;
  flushMs: number;
  /** Connections a batch's parts commit on at once (default 1). */
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
  /** Its parts (one per writer) and their steps, planned when it closed (while the batch before it commits). */
  parts: Part[];
  committed: Promise<void>;
  resolve: () => void;
}

/** The events of a batch one writer commits, in one transaction. */
interface Part {
  lane: number;
  events: Planned[];
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
  /** Closed and planned batches, oldest first, waiting for their commit. */
  private ready: Batch[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
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
  /** Awaited before a part's COMMIT, with its writer's number (tests crash between the parts). */
  beforePartCommit: ((lane: number) => Promise<void> | void) | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly log: Logger,
    private readonly options: IngestOptions,
  ) {}

  /** Events received and not yet committed. */
  get queued(): number {
    let n = this.open?.events.length ?? 0;
    for (const b of this.ready) n += b.events.length;
    return n;
  }

  /** How long the oldest event not yet committed has waited (0 when none waits). */
  lagNowMs(): number {
    const oldest = this.ready[0]?.firstAt ?? this.open?.firstAt;
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
   * The open batch is due. While a commit runs it keeps taking events instead (up to maxBatch):
   * it closes when that commit ends, so a busy database gets fewer, larger batches.
   */
  private onFlushTimer(): void {
    this.timer = undefined;
    if (this.running === undefined) this.close();
  }

  /** Closes the open batch: planned now, committed after the batches before it. */
  private close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.open;
    if (!batch || this.stopped) return;
    this.open = undefined;
    batch.closedAt = Date.now();
    batch.parts = splitLanes(batch.events, this.options.writers ?? 1).map((events, lane) => ({
      lane,
      events,
      steps: stepsOf(events),
    }));
    this.ready.push(batch);
    this.startDrain();
  }

  private startDrain(): void {
    this.running ??= this.drain()
      .catch((err: unknown) => this.log.error({ err }, 'ingest stopped with a batch uncommitted'))
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        // Closed between the last commit and now.
        if (this.ready.length > 0) this.startDrain();
        // Came due while the last commit ran.
        else if (this.open && Date.now() - this.open.firstAt >= this.options.flushMs) this.close();
        else if (this.open) this.timer ??= setTimeout(() => this.onFlushTimer(), this.options.flushMs);
      });
  }

  private async drain(): Promise<void> {
    while (this.ready.length > 0 && !this.stopped) {
      const batch = this.ready[0];
      const commitAt = Date.now();
      // Each part's receipt → commit time, for the debug log (how evenly the writers share a batch).
      const partMs = await Promise.all(
        batch.parts.map((p) =>
          this.commitWithRetry(p.events, p.lane, p.steps).then(() => Date.now() - commitAt),
        ),
      );
      this.log.debug(
        {
          events: batch.events.length,
          part_ms: partMs,
          first_at: batch.firstAt,
          closed_at: batch.closedAt,
          commit_at: commitAt,
          committed_at: Date.now(),
        },
        'batch committed',
      );
      this.ready.shift();
      this.lastBatchSize = batch.events.length;
      this.lastLagMs = Date.now() - batch.firstAt;
      this.batches++;
      this.committed += batch.events.length;
      for (const a of batch.events) if (a.topic === TOPICS.homeMeasured) this.measured++;
      this.onCommitted?.(batch.events.length);
      batch.resolve();
    }
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
   * Finishes the batch being committed (or gives up on it if the database is down) and takes no
   * more; what is left was never acknowledged, so the gateway replays it to the next run.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
