/**
 * Splits a batch over the writer connections (docs/read-side.md, "Two writers"): its parts commit
 * as concurrent transactions, so PostgreSQL works on a batch with two backends (two cores) instead
 * of one. The split never lets two transactions touch the same row:
 * - every event whose rows are keyed by its home (the ticks' topics, a home's identity, its
 *   connection changes, its bills) goes to the lane of its home (`homeHash` modulo the lanes), so
 *   a home's rows of home_states, energy_events, energy_trades and home_bills are written by one
 *   lane only, in batch order, and no two transactions wait on each other's row locks (no deadlock);
 * - everything else (the clock, prices, weather, providers, contract events) goes to lane 0;
 * - a batch holding a reset is not split (`holdsReset`): the reset clears every table and must not
 *   run beside a transaction writing them; the caller runs it alone.
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

export interface LanePart {
  lane: number;
  events: Planned[];
}

/** The lane (0 … lanes-1) an event belongs to. */
export function laneOf(p: Planned, lanes: number): number {
  if ('row' in p) return p.home % lanes;
  if (HOME_KEYED.has(p.topic)) return homeHash((p.event as { home_id: string }).home_id) % lanes;
  return 0;
}

export const holdsReset = (events: readonly Planned[]): boolean =>
  events.some((p) => p.topic === TOPICS.reset);

/** The batch's events split by lane: the non-empty parts, each in batch order. */
export function splitLanes(events: readonly Planned[], lanes: number): LanePart[] {
  const out: Planned[][] = Array.from({ length: Math.max(1, lanes) }, () => []);
  for (const p of events) out[lanes > 1 ? laneOf(p, lanes) : 0].push(p);
  return out.flatMap((part, lane) => (part.length > 0 ? [{ lane, events: part }] : []));
}
