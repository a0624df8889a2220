/**
 * The projections' write path (docs/read-side.md): events arrive one by one from the durable
 * subscription; each handler call returns a promise that settles when the event's batch has
 * committed, so the client acknowledges it to the gateway only then. Batches close at `maxBatch`
 * events or `flushMs` after their first event, and commit one at a time, in arrival order.
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
import { planBatch, type Applied } from './model/plan';
import { segmentStatements } from './writer';

export interface IngestOptions {
  maxBatch: number;
  flushMs: number;
  /** Backoff bounds while the database is unavailable. */
  retryMinMs?: number;
  retryMaxMs?: number;
}

interface Item {
  applied: Applied;
  receivedAt: number;
  done: () => void;
}

export class IngestQueue {
  private pending: Item[] = [];
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
  /** Receipt time of the oldest event of the batch being committed. */
  private inFlightSince: number | undefined;

  /** Called right after each commit, before any of its events is acknowledged (tests crash here). */
  onCommitted: ((events: number) => void) | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly log: Logger,
    private readonly options: IngestOptions,
  ) {}

  get queued(): number {
    return this.pending.length;
  }

  /** How long the oldest event not yet committed has waited (0 when none waits). */
  lagNowMs(): number {
    const oldest = this.inFlightSince ?? this.pending[0]?.receivedAt;
    return oldest === undefined ? 0 : Date.now() - oldest;
  }

  /** Resolves once the event is committed. */
  add(applied: Applied): Promise<void> {
    return new Promise<void>((done) => {
      this.pending.push({ applied, receivedAt: Date.now(), done });
      if (this.pending.length >= this.options.maxBatch) this.kick();
      else this.timer ??= setTimeout(() => this.kick(), this.options.flushMs);
    });
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.running ??= this.drain()
      .catch((err: unknown) => this.log.error({ err }, 'ingest stopped with a batch uncommitted'))
      .finally(() => {
        this.running = undefined;
        if (this.pending.length > 0 && !this.stopped) this.timer ??= setTimeout(() => this.kick(), 0);
      });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0 && !this.stopped) {
      const batch = this.pending.splice(0, this.options.maxBatch);
      this.inFlightSince = batch[0].receivedAt;
      await this.commitWithRetry(batch);
      this.inFlightSince = undefined;
      const now = Date.now();
      this.lastBatchSize = batch.length;
      this.lastLagMs = now - batch[0].receivedAt;
      this.batches++;
      this.committed += batch.length;
      for (const item of batch) if (item.applied.topic === TOPICS.homeMeasured) this.measured++;
      this.onCommitted?.(batch.length);
      for (const item of batch) item.done();
      // Below a full batch, wait for the timer: small commits waste the database's time.
      if (this.pending.length < this.options.maxBatch) break;
    }
  }

  private async commitWithRetry(batch: Item[]): Promise<void> {
    let delay = this.options.retryMinMs ?? 250;
    for (;;) {
      try {
        await this.commit(batch.map((i) => i.applied));
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
        await this.commitApart(batch, err);
        return;
      }
    }
  }

  /** The database refused the batch itself: find the event(s) it refuses, skip them, keep the rest. */
  private async commitApart(batch: Item[], cause: unknown): Promise<void> {
    if (batch.length === 1) {
      this.rejected++;
      const { topic, event } = batch[0].applied;
      this.log.error(
        { topic, event_id: event.event_id, err: (cause as Error).message },
        'event refused by the database: skipped',
      );
      return;
    }
    const half = Math.ceil(batch.length / 2);
    for (const part of [batch.slice(0, half), batch.slice(half)]) await this.commitWithRetry(part);
  }

  private async commit(events: Applied[]): Promise<void> {
    const statements = planBatch(events).flatMap(segmentStatements);
    if (statements.length === 0) return;
    const db = await this.pool.connect();
    try {
      // One statement is a transaction by itself: a tick's usual batch is one round trip.
      if (statements.length === 1) await db.query(statements[0]);
      else {
        await db.query('BEGIN');
        for (const q of statements) await db.query(q);
        await db.query('COMMIT');
      }
    } catch (err) {
      await db.query('ROLLBACK').catch(() => undefined);
      // A broken connection must not go back to the pool.
      db.release(isUnavailable(err) ? (err as Error) : undefined);
      throw err;
    }
    db.release();
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
