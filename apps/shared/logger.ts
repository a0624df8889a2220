/** One pino logger per app; level from LOG_LEVEL (default info), silent under jest unless asked. */
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(app: string, level = process.env.LOG_LEVEL): Logger {
  const fallback = process.env.JEST_WORKER_ID ? 'silent' : 'info';
  return pino({ name: app, level: level ?? fallback, base: { app } });
}
