/**
 * The Mesh page's model: from what each gateway's admin API says (docs/protocol.md §5: `/api/peers`,
 * `/api/topology`, `/metrics`) to the `/api/mesh` shape of docs/dashboard.md,
 * `{gateways: [{id, role, region, links: [{peer, up, rtt_ms, msgs_per_s}]}]}`, plus what the
 * page shows besides (clients, subscriptions, registrations). Message rates are the difference of
 * the links' sent + received counters between two polls.
 */
import { REGIONS, type Region } from '../../shared/env';

export interface PeerEntry {
  gateway_id: string | null;
  state: string;
  rtt_ms?: number | null;
  sent?: number;
  received?: number;
}

/** One poll of one gateway's admin API. */
export interface AdminSample {
  url: string;
  /** Real ms of the poll. */
  at: number;
  ok: boolean;
  error?: string;
  gateway_id?: string;
  peers?: PeerEntry[];
  procedures?: string[];
  patterns?: string[];
  clients?: number;
  subscriptions?: number;
  registrations?: number;
}

export interface MeshLinkView {
  peer: string;
  up: boolean;
  rtt_ms: number | null;
  msgs_per_s: number | null;
}

export interface MeshGatewayView {
  id: string;
  role: 'hub' | 'edge';
  region: Region | null;
  admin_url: string;
  reachable: boolean;
  error: string | null;
  clients: number | null;
  subscriptions: number | null;
  registrations: number | null;
  procedures: string[];
  patterns: string[];
  links: MeshLinkView[];
}

export interface MeshView {
  polled_at: string | null;
  gateways: MeshGatewayView[];
}

/** Region from a gateway id such as `be-antwerp` (stacks name gateways after their cluster). */
export function regionOf(id: string): Region | null {
  return REGIONS.find((r) => id === r || id.endsWith(`-${r}`)) ?? null;
}

/** The three gauges the page shows, read from Prometheus text. */
export function gaugesFrom(text: string): {
  clients?: number;
  subscriptions?: number;
  registrations?: number;
} {
  const read = (name: string): number | undefined => {
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([-0-9.eE+]+)$`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  return {
    clients: read('macula_clients'),
    subscriptions: read('macula_subscriptions'),
    registrations: read('macula_registrations'),
  };
}

const total = (p: PeerEntry): number => (p.sent ?? 0) + (p.received ?? 0);

/**
 * Builds the view from this poll's samples and the previous ones (same order, by admin URL). A
 * gateway that does not answer is shown unreachable with all its links down, under the id it had
 * when it last answered; a link is up only when the gateway says so and its peer, if polled, answers.
 */
export function meshView(
  current: AdminSample[],
  previous: Map<string, AdminSample>,
  idOf: Map<string, string>,
): MeshView {
  const reachableIds = new Set(current.filter((s) => s.ok && s.gateway_id).map((s) => s.gateway_id!));
  const polledIds = new Set([...idOf.values()]);
  const gateways = current.map((s): MeshGatewayView => {
    const id = s.gateway_id ?? idOf.get(s.url) ?? s.url;
    const region = regionOf(id);
    const before = previous.get(s.url);
    const basis = s.ok ? s : before;
    const links = (basis?.peers ?? [])
      .filter((p): p is PeerEntry & { gateway_id: string } => p.gateway_id !== null)
      .map((p): MeshLinkView => {
        const peerDown = polledIds.has(p.gateway_id) && !reachableIds.has(p.gateway_id);
        const up = s.ok && p.state === 'up' && !peerDown;
        const old = s.ok ? before?.peers?.find((q) => q.gateway_id === p.gateway_id) : undefined;
        const dt = before ? (s.at - before.at) / 1000 : 0;
        const rate = up && old && dt > 0 ? Math.max(0, (total(p) - total(old)) / dt) : null;
        return { peer: p.gateway_id, up, rtt_ms: up ? (p.rtt_ms ?? null) : null, msgs_per_s: rate };
      });
    return {
      id,
      role: region ? 'edge' : 'hub',
      region,
      admin_url: s.url,
      reachable: s.ok,
      error: s.ok ? null : (s.error ?? 'no answer'),
      clients: s.ok ? (s.clients ?? null) : null,
      subscriptions: s.ok ? (s.subscriptions ?? null) : null,
      registrations: s.ok ? (s.registrations ?? null) : null,
      procedures: basis?.procedures ?? [],
      patterns: basis?.patterns ?? [],
      links,
    };
  });
  const at = current.reduce((m, s) => Math.max(m, s.at), 0);
  return { polled_at: at > 0 ? new Date(at).toISOString() : null, gateways };
}
