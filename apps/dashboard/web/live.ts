/**
 * The browser's copy of the live view model, fed by the server's SSE stream (`/api/events`): a
 * snapshot on connect, then the parts that changed. Pages subscribe to parts. EventSource reconnects
 * by itself; while it is away, or while the server says the gateway or the queries are away, the
 * page shows "reconnecting".
 */
import type { ClockView, LocationView, RegionFigures } from '../model/live-state';
import type { MeshView } from '../model/mesh';
import { PARTS, SERVER_PARTS } from '../model/parts';
import type { Overview } from '../../shared/contract/read-side';

export interface Table {
  t: number[];
  [k: string]: Array<number | null>;
}

export interface ProviderMetric {
  provider_id: string;
  provider_name: string;
  customers: number;
  market_share: number;
  rank: number;
  trend: 'up' | 'down' | 'flat';
  competitiveness: number;
}

export interface ServerStatus {
  gateway: 'connecting' | 'connected' | 'reconnecting' | 'stopped';
  gateway_id: string | null;
  queries: 'unknown' | 'ok' | 'down';
  queries_problem: string | null;
}

export interface LiveData {
  overview: Overview;
  clock: ClockView;
  history: Table;
  prices: Table;
  throughput: Table;
  providers: ProviderMetric[];
  regions: RegionFigures[];
  locations: LocationView[];
  status: ServerStatus;
  mesh: MeshView;
}

type Key = keyof LiveData;
type Listener = () => void;

export class Live {
  data: Partial<LiveData> = {};
  /** False while the stream to the server is down. */
  streamUp = false;
  private readonly listeners = new Map<Key | 'connection', Set<Listener>>();
  private source: EventSource | undefined;

  on(key: Key | 'connection', fn: Listener): () => void {
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  private emit(key: Key | 'connection'): void {
    for (const fn of this.listeners.get(key) ?? []) fn();
  }

  /** What the banner says, or null when everything answers. */
  problem(): string | null {
    if (!this.streamUp) return 'Reconnecting to the dashboard server…';
    const s = this.data.status;
    if (!s) return null;
    if (s.gateway !== 'connected') return 'Reconnecting to the gateway…';
    if (s.queries === 'down') return 'Reconnecting to the queries…';
    return null;
  }

  connect(): void {
    const es = new EventSource('/api/events');
    this.source = es;
    es.addEventListener('open', () => {
      this.streamUp = true;
      this.emit('connection');
    });
    es.addEventListener('error', () => {
      this.streamUp = false;
      this.emit('connection');
    });
    es.addEventListener('snapshot', (e) => {
      const snap = JSON.parse((e as MessageEvent<string>).data) as LiveData;
      this.data = snap;
      this.streamUp = true;
      for (const k of Object.keys(snap) as Key[]) this.emit(k);
      this.emit('connection');
    });
    const parts: Key[] = [...PARTS, ...SERVER_PARTS];
    for (const k of parts)
      es.addEventListener(k, (e) => {
        (this.data as Record<string, unknown>)[k] = JSON.parse((e as MessageEvent<string>).data);
        this.emit(k);
        if (k === 'status') this.emit('connection');
      });
  }

  close(): void {
    this.source?.close();
  }
}
