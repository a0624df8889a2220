/**
 * What one batch of events does to the read models (docs/read-side.md), as plain data: the writer
 * turns a plan into a few multi-row statements in one transaction. Pure, so the rules are tested
 * without a database:
 * - rows that record events (history, trades, switches, contract events) keep every event; the
 *   database drops the ones it has seen (their event_id is the key);
 * - state that events overwrite (a home's latest measurement, its balance, a provider's offer)
 *   keeps the newest per key by simulation_time; the database also refuses anything older than
 *   what it holds, so late and replayed events change nothing;
 * - `simulation.reset` splits the batch: what came before it is written, then everything is
 *   cleared, then what came after it is written — all in the same transaction.
 */
import {
  TOPICS,
  type BalanceUpdated,
  type ContractExpired,
  type ContractProposed,
  type ContractSwitched,
  type EventOf,
  type HomeBilled,
  type HomeInitialized,
  type HomeMeasured,
  type HomeTraded,
  type Reset,
  type SpotPriceUpdated,
  type StateChanged,
  type TimeAdvanced,
  type WeatherDay,
} from '../../shared/contract';
import { homeHash } from './home-hash';
import { balanceRow, measuredRow, tradeRow } from './hot-rows';

/** A validated event of a topic the projections apply. */
export type Applied =
  | { topic: typeof TOPICS.timeAdvanced; event: TimeAdvanced }
  | { topic: typeof TOPICS.stateChanged; event: StateChanged }
  | { topic: typeof TOPICS.reset; event: Reset }
  | { topic: typeof TOPICS.homeInitialized; event: HomeInitialized }
  | { topic: typeof TOPICS.homeConnected; event: EventOf<typeof TOPICS.homeConnected> }
  | { topic: typeof TOPICS.homeDisconnected; event: EventOf<typeof TOPICS.homeDisconnected> }
  | { topic: typeof TOPICS.homeMeasured; event: HomeMeasured }
  | { topic: typeof TOPICS.homeTraded; event: HomeTraded }
  | { topic: typeof TOPICS.homeBilled; event: HomeBilled }
  | { topic: typeof TOPICS.balanceUpdated; event: BalanceUpdated }
  | { topic: typeof TOPICS.contractSwitched; event: ContractSwitched }
  | { topic: typeof TOPICS.contractExpired; event: ContractExpired }
  | { topic: typeof TOPICS.contractProposed; event: ContractProposed }
  | { topic: typeof TOPICS.spotPriceUpdated; event: SpotPriceUpdated }
  | { topic: typeof TOPICS.contractConfirmed; event: EventOf<typeof TOPICS.contractConfirmed> }
  | { topic: typeof TOPICS.contractRejected; event: EventOf<typeof TOPICS.contractRejected> };

/**
 * An event of the ticks' topics already turned into its staged row (model/hot-rows.ts) when it
 * arrived, so a batch keeps a short line instead of the event until it commits (the event dies
 * young: the worker's garbage collector was its largest cost). `event` keeps what a log needs.
 */
export interface StagedEvent {
  topic: typeof TOPICS.homeMeasured | typeof TOPICS.homeTraded | typeof TOPICS.balanceUpdated;
  /** Its COPY line as UTF-8 bytes (`rowBytes`). */
  row: Buffer;
  /** `homeHash` of its home: which writer connection takes it (model/lanes.ts). */
  home: number;
  event: { event_id: string };
}

/** What a batch holds: events as validated, or the ticks' events as their rows. */
export type Planned = Applied | StagedEvent;

/**
 * A COPY line as it waits for its commit: bytes, one object. Built by concatenation, the line is a
 * tree of dozens of small strings, and a batch holds some 30,000 of them for about a second: every
 * young-generation collection in that time copied them all again. Held as bytes, the worker's CPU
 * per event fell from 20.6–20.8 to 15.8–16.2 µs (`npm run bench:projections`, docs/read-side.md).
 */
const rowBytes = (line: string): Buffer => Buffer.from(line, 'utf8');

/** The staged row of a ticks'-topic event at place `seq` of its batch; undefined for other topics. */
export function stagedEvent(a: Applied, seq: number): StagedEvent | undefined {
  const event = { event_id: a.event.event_id };
  switch (a.topic) {
    case TOPICS.homeMeasured:
      return {
        topic: a.topic,
        row: rowBytes(measuredRow(seq, a.event)),
        home: homeHash(a.event.home_id),
        event,
      };
    case TOPICS.homeTraded:
      return {
        topic: a.topic,
        row: rowBytes(tradeRow(seq, a.event)),
        home: homeHash(a.event.home_id),
        event,
      };
    case TOPICS.balanceUpdated:
      return {
        topic: a.topic,
        row: rowBytes(balanceRow(seq, a.event)),
        home: homeHash(a.event.home_id),
        event,
      };
    default:
      return undefined;
  }
}

export interface ConnectionChange {
  home_id: string;
  region: string;
  connected: boolean;
  reason: string | null;
  at: string;
}

/** A row of contract_events: offers, confirmations, rejections and expiries as they came. */
export interface ContractEventRow {
  event_id: string;
  event_type: 'proposed' | 'confirmed' | 'rejected' | 'expired';
  home_id: string | null;
  provider_id: string;
  contract_id: string | null;
  offer_id: string | null;
  simulation_time: string;
  payload: object;
}

export interface Segment {
  /** Clear every read model before applying this segment. */
  reset?: Reset;
  initialized: Map<string, HomeInitialized>;
  connections: Map<string, ConnectionChange>;
  /**
   * COPY lines of the ticks' topics (model/hot-rows.ts): every measurement (history rows; the
   * newest per home becomes its state), every trade, every balance (the newest per home is kept).
   * The newest per home is picked by the database, which also keeps what it already holds if newer.
   * As UTF-8 bytes (`rowBytes`).
   */
  stagedRows: Buffer[];
  bills: Map<string, HomeBilled>;
  switches: ContractSwitched[];
  contractEvents: ContractEventRow[];
  offers: Map<string, ContractProposed>;
  spots: Map<string, SpotPriceUpdated>;
  /** Newest clock state (tick or state change). */
  clock?: { simulation_time: string; speed: number; paused: boolean; tick?: number };
  prices: Map<string, number>;
  weather: Map<string, WeatherDay>;
  /** Events in this segment (for counts). */
  events: number;
}

export function emptySegment(reset?: Reset): Segment {
  return {
    reset,
    initialized: new Map(),
    connections: new Map(),
    stagedRows: [],
    bills: new Map(),
    switches: [],
    contractEvents: [],
    offers: new Map(),
    spots: new Map(),
    prices: new Map(),
    weather: new Map(),
    events: 0,
  };
}

/** Keeps `next` in `map` under `key` unless what is there is newer (ties: the later event wins). */
function keepNewest<T>(map: Map<string, T>, key: string, next: T, time: (v: T) => string): void {
  const held = map.get(key);
  if (held === undefined || Date.parse(time(held)) <= Date.parse(time(next))) map.set(key, next);
}

const simTime = (e: { simulation_time: string }): string => e.simulation_time;

function addContractEvent(
  s: Segment,
  type: ContractEventRow['event_type'],
  e: ContractEventRow['payload'] & {
    event_id: string;
    simulation_time: string;
    provider_id: string;
    home_id?: string;
    contract_id?: string;
    offer_id?: string;
  },
): void {
  s.contractEvents.push({
    event_id: e.event_id,
    event_type: type,
    home_id: e.home_id ?? null,
    provider_id: e.provider_id,
    contract_id: e.contract_id ?? null,
    offer_id: e.offer_id ?? null,
    simulation_time: e.simulation_time,
    payload: e,
  });
}

/** One handler per topic: which event feeds which read model (docs/read-side.md, "Read models"). */
function apply(s: Segment, a: Planned): void {
  s.events++;
  if ('row' in a) {
    s.stagedRows.push(a.row);
    return;
  }
  switch (a.topic) {
    case TOPICS.timeAdvanced: {
      const e = a.event;
      keepClock(s, { simulation_time: e.simulation_time, speed: e.speed, paused: e.paused, tick: e.tick });
      for (const p of e.prices) s.prices.set(p.hour, p.eur_per_kwh);
      for (const w of e.weather) keepNewest(s.weather, w.region, w, (v) => v.date);
      return;
    }
    case TOPICS.stateChanged:
      return keepClock(s, {
        simulation_time: a.event.simulation_time,
        speed: a.event.speed,
        paused: a.event.paused,
      });
    case TOPICS.reset:
      return; // split off by planBatch
    case TOPICS.homeInitialized:
      s.initialized.set(a.event.home_id, a.event);
      return;
    case TOPICS.homeConnected:
    case TOPICS.homeDisconnected: {
      const e = a.event;
      const change: ConnectionChange = {
        home_id: e.home_id,
        region: e.region,
        connected: a.topic === TOPICS.homeConnected,
        reason: 'reason' in e ? e.reason : null,
        at: e.simulation_time,
      };
      keepNewest(s.connections, e.home_id, change, (v) => v.at);
      return;
    }
    case TOPICS.homeMeasured:
      s.stagedRows.push(rowBytes(measuredRow(s.events, a.event)));
      return;
    case TOPICS.homeTraded:
      s.stagedRows.push(rowBytes(tradeRow(s.events, a.event)));
      return;
    case TOPICS.homeBilled:
      s.bills.set(`${a.event.home_id}\u0000${a.event.month}`, a.event);
      return;
    case TOPICS.balanceUpdated:
      s.stagedRows.push(rowBytes(balanceRow(s.events, a.event)));
      return;
    case TOPICS.contractSwitched:
      s.switches.push(a.event);
      return;
    case TOPICS.contractExpired:
      return addContractEvent(s, 'expired', a.event);
    case TOPICS.contractProposed:
      keepNewest(s.offers, a.event.provider_id, a.event, simTime);
      return addContractEvent(s, 'proposed', a.event);
    case TOPICS.spotPriceUpdated:
      keepNewest(s.spots, a.event.provider_id, a.event, simTime);
      return;
    case TOPICS.contractConfirmed:
      return addContractEvent(s, 'confirmed', a.event);
    case TOPICS.contractRejected:
      return addContractEvent(s, 'rejected', a.event);
  }
}

function keepClock(s: Segment, next: NonNullable<Segment['clock']>): void {
  if (!s.clock || Date.parse(s.clock.simulation_time) <= Date.parse(next.simulation_time))
    s.clock = { ...next, tick: next.tick ?? s.clock?.tick };
}

/** The plan of a batch: one segment, or more when it holds a reset. */
export function planBatch(events: readonly Planned[]): Segment[] {
  const segments = [emptySegment()];
  for (const a of events) {
    if (a.topic === TOPICS.reset && !('row' in a)) {
      segments.push(emptySegment(a.event));
      segments[segments.length - 1].events++;
      continue;
    }
    apply(segments[segments.length - 1], a);
  }
  return segments.filter((s) => s.events > 0 || s.reset);
}
