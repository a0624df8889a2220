/**
 * Opens the durable log of GATEWAY_DATA_DIR at start: reads back what an earlier run left (cutting
 * a torn tail), puts its durable subscriptions back into the store without a client, and from then
 * on writes every change of them down (docs/loss.md "Durable subscriptions across a crash").
 */
import { mkdirSync } from 'node:fs';
import type { Logger } from 'pino';
import type { DurableStore } from '../core/durable-store';
import { DurableLog, type DurableLogHost } from './durable-log';
import type { LinkPosition } from './records';
import { recoverLog } from './recovery';

export interface OpenedDurableLog {
  log: DurableLog;
  /** Peers this gateway was linked to when the log was last written (empty on a first start). */
  restartPeers: string[];
  /** Puts the subscriptions read back into the store (once whatever they announce to exists). */
  restore(): void;
}

export function openDurableLog(
  settings: { dataDir: string; dataMaxBytes: number; dataSyncMs: number },
  logger: Logger,
  store: DurableStore,
  links: Pick<DurableLogHost, 'linkPositions' | 'committed'>,
): OpenedDurableLog {
  const dir = settings.dataDir;
  mkdirSync(dir, { recursive: true });
  const recovered = recoverLog(dir);
  for (const problem of recovered.problems)
    logger.warn({ problem }, 'durable log: a torn or damaged tail was cut (a crash mid-write)');
  const log = new DurableLog(
    { dir, maxBytes: settings.dataMaxBytes, syncMs: settings.dataSyncMs, log: logger },
    { subscriptions: () => store.values(), subscription: (name) => store.get(name), ...links },
    recovered,
  );
  store.journal = log;
  const restore = (): void =>
    store.restore(
      [...recovered.subscriptions.values()].map(({ state, events }) => ({
        name: state.name,
        pattern: state.pattern,
        owner: state.owner,
        lastSeq: state.lastSeq,
        overflow: state.overflow,
        overflowTotal: state.overflowTotal,
        epoch: state.epoch,
        events,
      })),
    );
  const restartPeers = recovered.links.map((l: LinkPosition) => l.peer);
  logger.info(
    {
      dataDir: dir,
      restarted: recovered.restarted,
      durables: recovered.subscriptions.size,
      pendingEvents: [...recovered.subscriptions.values()].reduce((n, s) => n + s.events.length, 0),
      peers: restartPeers,
    },
    'durable log opened',
  );
  return { log, restartPeers, restore };
}
