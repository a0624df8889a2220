/** Process entry of the `projections` app: environment → database (migrated) → subscribed app. */
import { Counter } from 'prom-client';
import { openDatabase } from '../shared/db/database';
import { runApp } from '../shared/lifecycle';
import { createLogger } from '../shared/logger';
import type { AppMetrics } from '../shared/metrics';
import { ProjectionsApp } from './app';
import { projectionsConfigFromEnv } from './config';

export async function main(env: Record<string, string | undefined> = process.env): Promise<void> {
  const config = projectionsConfigFromEnv(env);
  const db = await openDatabase(env, {
    app: 'projections',
    log: createLogger('projections'),
    maxConnections: 6,
  });
  try {
    await runApp(
      'projections',
      config.connection,
      async (client, log) => {
        log.info({ database: db.description }, 'database ready');
        const app = new ProjectionsApp(client, { ...config, pool: db.pool, log });
        await app.start();
        return app;
      },
      { env, metrics: registerMetrics },
    );
  } finally {
    await db.close();
  }
}

/** The app's own figures on its /metrics (apps/shared/metrics.ts). */
export function registerMetrics(app: ProjectionsApp, m: AppMetrics): void {
  const ingest = app.ingest;
  m.counter(
    'cortexiq_projection_events_total',
    'Events committed to the read models (rate = ingest rate)',
    () => ingest.committed,
  );
  m.counter('cortexiq_projection_batches_total', 'Transactions committed', () => ingest.batches);
  m.gauge('cortexiq_projection_batch_size', 'Events in the last committed batch', () => ingest.lastBatchSize);
  m.gauge(
    'cortexiq_projection_lag_seconds',
    'Receipt to commit of the oldest event waiting, or of the last batch',
    () => Math.max(ingest.lagNowMs(), ingest.lastLagMs) / 1000,
  );
  m.gauge('cortexiq_projection_queued_events', 'Events received and not yet committed', () => ingest.queued);
  m.counter('cortexiq_projection_db_errors_total', 'Failed commits (each retried)', () => ingest.dbErrors);
  m.counter(
    'cortexiq_projection_rejected_events_total',
    'Events the database refused on their own (skipped)',
    () => ingest.rejected,
  );
  m.gauge('cortexiq_projection_database_up', '0 while PostgreSQL is unavailable', () =>
    ingest.unavailableSince === undefined ? 1 : 0,
  );
  m.counter(
    'cortexiq_unknown_topic_events_total',
    'Events on topics outside the contract (ignored)',
    () => app.unknownTopics,
  );
  new Counter({
    name: 'cortexiq_malformed_events_total',
    help: 'Events that failed their schema, per topic (never written)',
    labelNames: ['topic'],
    registers: [m.registry],
    collect() {
      this.reset();
      for (const [topic, n] of app.malformedByTopic()) this.inc({ topic }, n);
    },
  });
}
