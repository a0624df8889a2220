/** JSON views for the admin API (docs/protocol.md §5), kept apart from HTTP so tests can call them. */
import type { Gateway } from '../gateway';
import { DurableSubscription } from '../core/subscribers';

export function peersView(gw: Gateway) {
  const dialed = new Map(gw.dialers.map((d) => [d.peerId, d]));
  const links = [...gw.mesh.links.values()].map((l) => ({
    gateway_id: l.peerId,
    state: l.connected ? 'up' : 'down',
    url: l.url ?? dialed.get(l.peerId)?.peer.url ?? null,
    dialed_by: l.dialedBySelf ? 'self' : 'peer',
    remote_address: l.conn?.remoteAddress ?? null,
    remote_identity: l.conn?.remoteIdentity ?? null,
    rtt_ms: l.rttMs ?? null,
    down_since: l.downSince ? new Date(l.downSince).toISOString() : null,
    sent: l.sent,
    received: l.received,
    replayed: l.replayed,
    buffered_messages: l.pendingCount,
    buffered_bytes: l.pendingBytes,
    overflow_dropped: l.overflowDropped,
  }));
  const unresolved = gw.dialers
    .filter((d) => !d.peerId || !gw.mesh.links.has(d.peerId))
    .map((d) => ({
      gateway_id: d.peerId ?? null,
      state: 'connecting',
      url: d.peer.url,
      attempts: d.attempts,
      last_error: d.lastError ?? null,
    }));
  return { gateway_id: gw.gatewayId, peers: [...links, ...unresolved] };
}

export function topologyView(gw: Gateway) {
  const nodes = [...gw.mesh.lsdb.entries.values()].map((lsa) => ({
    gateway_id: lsa.origin,
    reachable: gw.mesh.lsdb.reachable(lsa.origin),
    distance: gw.mesh.lsdb.distance(lsa.origin) ?? null,
    next_hop: gw.mesh.lsdb.nextHop(lsa.origin) ?? null,
    version: lsa.version,
    neighbors: lsa.neighbors,
    patterns: lsa.patterns,
    procedures: lsa.procedures,
  }));
  return {
    gateway_id: gw.gatewayId,
    realm: gw.config.realm,
    nodes,
    links: gw.mesh.lsdb.links().map(([a, b]) => ({ a, b })),
  };
}

export function subscriptionsView(gw: Gateway) {
  const subs = [...gw.subscribers.items()].map((s) =>
    s instanceof DurableSubscription
      ? {
          pattern: s.pattern,
          session_id: s.sessionId ?? null,
          durable: s.name,
          pending: s.pending,
          overflow_total: s.overflowTotal,
        }
      : { pattern: s.pattern, session_id: s.sessionId ?? null, durable: null },
  );
  return { gateway_id: gw.gatewayId, count: subs.length, subscriptions: subs };
}

export function registrationsView(gw: Gateway) {
  const local = [...gw.rpc.registrations.entries()].map(([procedure, c]) => ({
    procedure,
    session_id: c.sessionId,
    gateway_id: gw.gatewayId,
  }));
  const remote = [...gw.mesh.lsdb.entries.values()]
    .filter((l) => l.origin !== gw.gatewayId)
    .flatMap((l) => l.procedures.map((procedure) => ({ procedure, session_id: null, gateway_id: l.origin })));
  return { gateway_id: gw.gatewayId, local, remote };
}
