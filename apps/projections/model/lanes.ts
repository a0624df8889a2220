/**
 * Splits a batch over the writer connections (docs/read-side.md, "Two writers"): its parts commit
 * as concurrent transactions, so PostgreSQL works on a batch with two backends (two cores) instead
 * of one. The split never lets two transactions touch the same row:
 * - every event whose rows are keyed by its home (the ticks' topics, a home's identity, its
 *   connection changes, its bills) goes to the part of its home (`homeHash` modulo the parts), so
 *   a home's rows of home_states, energy_events, energy_trades and home_bills are written by one
 *   transaction only, and no two transactions wait on each other's row locks (no deadlock);
 * - everything else (the clock, prices, weather, providers, contract events) goes to part 0;
 * - a batch holding a reset stays whole (one part): the reset clears every table and must not run
 *   beside a transaction writing them.
 * Within a part the events keep their batch order. Pure.
 */
import { TOPICS } from '../../shared/contract';
import { homeHash } from './home-hash';
import type { Planned } from './plan';

/** Topics whose every row is keyed by the event's home (besides the staged ticks' topics). */
const HOME_KEYED = new Set<string>([
  TOPICS.homeInitialized,
  TOPICS.homeConnected,
  TOPICS.homeDisconnected,
  TOPICS.homeBilled,
]);

/** The part (0 … parts-1) an event belongs to. */
export function laneOf(p: Planned, parts: number): number {
  if ('row' in p) return p.home % parts;
  if (HOME_KEYED.has(p.topic)) return homeHash((p.event as { home_id: string }).home_id) % parts;
  return 0;
}

/** The batch's events split into at most `parts` non-empty parts, each in batch order. */
export function splitLanes(events: readonly Planned[], parts: number): Planned[][] {
  if (parts <= 1 || events.some((p) => p.topic === TOPICS.reset)) return events.length ? [[...events]] : [];
  const out: Planned[][] = Array.from({ length: parts }, () => []);
  for (const p of events) out[laneOf(p, parts)].push(p);
  return out.filter((part) => part.length > 0);
}
