/** Process entry of the `queries` app: environment → database (migrated) → registered procedures. */
import { openDatabase } from '../shared/db/database';
import { runApp } from '../shared/lifecycle';
import { createLogger } from '../shared/logger';
import type { AppMetrics } from '../shared/metrics';
import { QueriesApp } from './app';
import { queriesConfigFromEnv } from './config';

export async function main(env: Record<string, string | undefined> = process.env): Promise<void> {
  const config = queriesConfigFromEnv(env);
  const db = await openDatabase(env, {
    app: 'queries',
    log: createLogger('queries'),
    maxConnections: config.maxConnections,
  });
  try {
    await runApp(
      'queries',
      config.connection,
      async (client, log) => {
        log.info({ database: db.description }, 'database ready');
        const app = new QueriesApp(client, db.pool, log, config.cacheMs);
        await app.start();
        return app;
      },
      { env, metrics: registerMetrics },
    );
  } finally {
    await db.close();
  }
}

export function registerMetrics(app: QueriesApp, m: AppMetrics): void {
  m.counter('cortexiq_queries_answered_total', 'Query calls answered', () => app.answered);
  m.counter(
    'cortexiq_queries_failed_total',
    'Query calls failed by the database (unavailable or internal)',
    () => app.failed,
  );
}
