/**
 * Polls every gateway's admin API (docs/protocol.md §5) for the Mesh page: `/health` for the id,
 * `/api/peers` for links, RTT and counters, `/api/topology` for what the gateway registered and
 * subscribed, `/metrics` for clients, subscriptions and registrations. A gateway that does not answer
 * within the timeout is shown unreachable, its links down (model/mesh.ts).
 */
import { gaugesFrom, meshView, type AdminSample, type MeshView, type PeerEntry } from '../model/mesh';

export interface MeshPollerOptions {
  urls: string[];
  token?: string;
  intervalMs: number;
  /** Per request (default 1.5 s); polls do not overlap, so a hung gateway slows the poll, never piles up. */
  timeoutMs?: number;
  changed: () => void;
}

/**
 * A stopped gateway refuses at once; only a hung one waits this long. Long enough that a busy
 * gateway (a loaded machine) is not shown unreachable.
 */
const DEFAULT_TIMEOUT_MS = 1500;

interface TopologyNode {
  gateway_id: string;
  patterns?: string[];
  procedures?: string[];
}

export class MeshPoller {
  view: MeshView = { polled_at: null, gateways: [] };
  private readonly previous = new Map<string, AdminSample>();
  private readonly ids = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly o: MeshPollerOptions) {}

  start(): void {
    if (this.o.urls.length === 0) return;
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.o.intervalMs);
    this.timer.unref();
  }

  async poll(): Promise<MeshView> {
    if (this.running) return this.view;
    this.running = true;
    try {
      const samples = await Promise.all(this.o.urls.map((u) => this.sample(u)));
      for (const s of samples) if (s.ok && s.gateway_id) this.ids.set(s.url, s.gateway_id);
      this.view = meshView(samples, this.previous, this.ids);
      // An unreachable gateway keeps its last good sample, so its links stay listed (as down).
      for (const s of samples) if (s.ok) this.previous.set(s.url, s);
      this.o.changed();
      return this.view;
    } finally {
      this.running = false;
    }
  }

  private async get(url: string, path: string): Promise<Response> {
    const res = await fetch(`${url}${path}`, {
      headers: this.o.token ? { authorization: `Bearer ${this.o.token}` } : {},
      signal: AbortSignal.timeout(this.o.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return res;
  }

  private async sample(url: string): Promise<AdminSample> {
    const at = Date.now();
    try {
      const [health, peers, topology, metrics] = await Promise.all([
        this.get(url, '/health').then((r) => r.json() as Promise<{ gateway_id: string }>),
        this.get(url, '/api/peers').then((r) => r.json() as Promise<{ peers: PeerEntry[] }>),
        this.get(url, '/api/topology').then((r) => r.json() as Promise<{ nodes: TopologyNode[] }>),
        this.get(url, '/metrics').then((r) => r.text()),
      ]);
      const self = topology.nodes.find((n) => n.gateway_id === health.gateway_id);
      return {
        url,
        at: Date.now(),
        ok: true,
        gateway_id: health.gateway_id,
        peers: peers.peers,
        procedures: self?.procedures ?? [],
        patterns: self?.patterns ?? [],
        ...gaugesFrom(metrics),
      };
    } catch (err) {
      const e = err as Error;
      const message =
        e.name === 'TimeoutError' ? 'no answer in time' : e.message.replace(/^fetch failed$/, 'unreachable');
      return { url, at, ok: false, error: message };
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
