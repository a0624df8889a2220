/**
 * Prometheus metrics (docs/protocol.md §5), read from the gateway's plain counters at scrape time.
 * One registry per gateway, so several gateways in one process (tests) never mix their figures.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Gateway } from '../gateway';
import { messageKindName } from '../core/stats';
import type { AdmissionCounters } from '../transport/transport';

export function createMetrics(gw: Gateway): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ gateway_id: gw.gatewayId });
  collectDefaultMetrics({ register: registry, prefix: 'macula_process_' });

  const gauge = (name: string, help: string, read: () => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  };
  // Counters are monotonic totals kept by the gateway; each scrape reports the current total.
  const counter = (name: string, help: string, read: () => number): void => {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  };

  gauge('macula_clients', 'Connected client sessions', () => gw.sessions.size);
  gauge('macula_subscriptions', 'Local subscriptions (live and durable)', () => gw.subscribers.size);
  gauge('macula_registrations', 'Local procedure registrations', () => gw.rpc.registrations.size);
  gauge('macula_durable_pending_messages', 'Events kept for durable subscriptions', () =>
    [...gw.durables.values()].reduce((n, d) => n + d.pending, 0),
  );
  gauge(
    'macula_durable_subscriptions',
    'Durable subscriptions, with or without a client',
    () => gw.durables.size,
  );
  gauge(
    'macula_durable_kept_bytes',
    'Bytes kept by all durable subscriptions together',
    () => gw.durables.totalBytes,
  );
  counter(
    'macula_durable_evicted_total',
    'Events dropped to keep all durable subscriptions within DURABLE_TOTAL_MAX_BYTES',
    () => gw.durables.evictedTotal,
  );
  counter(
    'macula_durable_expired_total',
    'Durable subscriptions removed after DURABLE_EXPIRE_S without a client',
    () => gw.durables.expiredTotal,
  );
  // The durable log (GATEWAY_DATA_DIR); all 0 without one.
  const dlog = gw.router.durableLog;
  gauge('macula_durable_log_bytes', 'Bytes of the durable log on disk', () => dlog?.bytes ?? 0);
  gauge('macula_durable_log_segments', 'Segment files of the durable log', () => dlog?.segmentCount ?? 0);
  counter('macula_durable_log_commits_total', 'Batches written and synced', () => dlog?.commits ?? 0);
  counter(
    'macula_durable_log_dropped_total',
    'Unacknowledged events dropped because the durable log reached GATEWAY_DATA_MAX_BYTES',
    () => dlog?.boundDropped ?? 0,
  );
  counter(
    'macula_durable_log_write_errors_total',
    'Failed batch writes (retried)',
    () => dlog?.writeErrors ?? 0,
  );
  counter(
    'macula_durable_log_cut_bytes_total',
    'Bytes of a torn or damaged log tail cut at start',
    () => dlog?.cutBytes ?? 0,
  );
  gauge('macula_client_queue_bytes', 'Bytes queued toward clients', () =>
    [...gw.sessions.values()].reduce((n, s) => n + s.out.depthBytes, 0),
  );
  counter(
    'macula_slow_consumer_drops_total',
    'Events dropped for slow consumers',
    () => gw.stats.slowConsumerDrops,
  );
  counter(
    'macula_malformed_frames_total',
    'Connections closed for malformed frames',
    () => gw.stats.malformedFrames,
  );
  counter(
    'macula_refused_sessions_total',
    'Client sessions refused or aborted',
    () => gw.stats.refusedSessions,
  );
  counter('macula_refused_peers_total', 'Peer links refused', () => gw.stats.refusedPeers);
  counter('macula_mesh_forwarded_total', 'Mesh messages sent on links', () => gw.stats.meshForwarded);
  counter(
    'macula_mesh_delivered_total',
    'Mesh messages delivered to this gateway',
    () => gw.stats.meshDelivered,
  );
  counter(
    'macula_mesh_replayed_total',
    'Mesh messages replayed after a link came back',
    () => gw.stats.meshReplayed,
  );
  counter(
    'macula_mesh_replay_dropped_total',
    'Buffered mesh messages lost when the replay window passed',
    () => gw.stats.meshReplayDropped,
  );
  counter('macula_mesh_unroutable_total', 'Mesh messages with no route', () => gw.stats.meshUnroutable);
  counter(
    'macula_mesh_link_overflow_total',
    "Mesh messages refused because a down link's replay buffer was full",
    () => gw.stats.meshLinkOverflow,
  );
  counter('macula_mesh_duplicates_total', 'Duplicate mesh messages dropped', () => gw.stats.meshDuplicates);
  counter(
    'macula_publication_duplicates_total',
    'Republished publications dropped because this gateway had already handled them',
    () => gw.stats.publicationDuplicates,
  );
  counter(
    'macula_puback_link_waits_expired_total',
    "Publication acknowledgement batches sent without their mesh link's acknowledgement (it did not come in 3 s)",
    () => gw.stats.pubAckWaitsExpired,
  );
  // Every message the mesh gave up, by destination gateway and reason (docs/loss.md).
  new Counter({
    name: 'macula_mesh_lost_total',
    help: 'Mesh messages given up, by destination gateway and reason',
    labelNames: ['dest', 'reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [dest, byReason] of gw.mesh.losses.totals)
        for (const [reason, n] of byReason) this.inc({ dest, reason }, n);
    },
  });
  new Counter({
    name: 'macula_mesh_lost_retracted_total',
    help: 'Of macula_mesh_lost_total{reason="replay_expired"}: messages the neighbour had received after all',
    labelNames: ['dest'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [dest, n] of gw.mesh.losses.retracted) this.inc({ dest }, n);
    },
  });
  gauge(
    'macula_mesh_held_messages',
    'Publications held toward unreachable gateways',
    () => gw.mesh.held.heldCount,
  );
  gauge('macula_mesh_held_bytes', 'Bytes held toward unreachable gateways', () => gw.mesh.held.heldBytes);
  // Order at the destination after a heal (gateway/mesh/in-order.ts, docs/loss.md).
  gauge(
    'macula_mesh_reorder_waiting',
    'Publications for this gateway waiting for an earlier one from the same origin',
    () => gw.mesh.inOrder.waitingCount,
  );
  new Counter({
    name: 'macula_mesh_order_gaps_total',
    help: 'Publications for this gateway not waited for any longer (their successors were delivered past them), by why',
    labelNames: ['why'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [why, n] of Object.entries(gw.mesh.inOrder.gaps)) this.inc({ why }, n);
    },
  });
  counter(
    'macula_mesh_late_total',
    'Publications delivered after later ones from the same origin (their gap had been given up)',
    () => gw.mesh.inOrder.late,
  );

  new Counter({
    name: 'macula_messages_total',
    help: 'Protocol messages by direction and kind',
    labelNames: ['direction', 'kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (let t = 0; t < 64; t++) {
        if (gw.stats.messagesIn[t])
          this.inc({ direction: 'in', kind: messageKindName(t) }, gw.stats.messagesIn[t]);
        if (gw.stats.messagesOut[t])
          this.inc({ direction: 'out', kind: messageKindName(t) }, gw.stats.messagesOut[t]);
      }
    },
  });
  new Counter({
    name: 'macula_bytes_total',
    help: 'Bytes on the wire by direction and message kind (clients and mesh links)',
    labelNames: ['direction', 'kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (let t = 0; t < 64; t++) {
        if (gw.stats.bytesIn[t]) this.inc({ direction: 'in', kind: messageKindName(t) }, gw.stats.bytesIn[t]);
        if (gw.stats.bytesOut[t])
          this.inc({ direction: 'out', kind: messageKindName(t) }, gw.stats.bytesOut[t]);
      }
    },
  });
  counter(
    'macula_mesh_replay_evicted_total',
    'Sent mesh messages whose replay copy the buffer bound evicted',
    () => [...gw.mesh.links.values()].reduce((n, l) => n + l.replayEvicted, 0),
  );
  // New-connection attempts at the QUIC listener (ngtcp2 stack only: quinn keeps no such counts).
  const admission = (): Partial<AdmissionCounters> => gw.listeners.get('quic')?.admissionCounters?.() ?? {};
  counter(
    'macula_quic_initials_total',
    'QUIC Initials that would open a connection',
    () => admission().initials ?? 0,
  );
  counter(
    'macula_quic_retries_total',
    'QUIC Retry packets sent (address validation)',
    () => admission().retries ?? 0,
  );
  counter(
    'macula_quic_bad_tokens_total',
    'QUIC Initials dropped because their Retry token did not verify',
    () => admission().badTokens ?? 0,
  );
  new Counter({
    name: 'macula_quic_refused_total',
    help: 'QUIC connections refused by a cap (QUIC_MAX_CONNECTIONS, MAX_PENDING_HANDSHAKES, QUIC_MAX_HALF_OPEN_PER_ADDRESS)',
    labelNames: ['cap'],
    registers: [registry],
    collect() {
      this.reset();
      const a = admission();
      this.inc({ cap: 'connections' }, a.refusedConnections ?? 0);
      this.inc({ cap: 'half_open' }, a.refusedHalfOpen ?? 0);
      this.inc({ cap: 'half_open_per_address' }, a.refusedPerAddress ?? 0);
    },
  });
  counter(
    'macula_quic_send_backlogged_total',
    'QUIC datagrams that waited for a full UDP send buffer (EAGAIN) instead of being dropped',
    () => admission().sendBacklogged ?? 0,
  );
  counter(
    'macula_quic_send_dropped_total',
    'QUIC datagrams dropped at send (backlog bound or a hard socket error; QUIC retransmits)',
    () => admission().sendDropped ?? 0,
  );
  gauge(
    'macula_quic_half_open',
    'QUIC connections still in their handshake',
    () => admission().halfOpen ?? 0,
  );
  const linkGauge = (
    name: string,
    help: string,
    read: (l: import('../mesh/link').PeerLink) => number | undefined,
  ): void => {
    new Gauge({
      name,
      help,
      labelNames: ['peer'],
      registers: [registry],
      collect() {
        this.reset();
        for (const link of gw.mesh.links.values()) {
          const v = read(link);
          if (v !== undefined) this.set({ peer: link.peerId }, v);
        }
      },
    });
  };
  linkGauge('macula_peer_link_up', 'Mesh link state per peer (1 up, 0 down)', (l) => (l.connected ? 1 : 0));
  linkGauge('macula_peer_rtt_seconds', 'Mesh link round-trip time', (l) =>
    l.rttMs === undefined ? undefined : l.rttMs / 1000,
  );
  linkGauge('macula_peer_queue_messages', 'Unacknowledged messages buffered per link', (l) => l.pendingCount);
  linkGauge(
    'macula_peer_replay_evicted_messages',
    'Sent messages whose replay copy was evicted by the buffer bound',
    (l) => l.replayEvicted,
  );
  linkGauge('macula_peer_sent_messages', 'Messages sent per link', (l) => l.sent);
  linkGauge('macula_peer_received_messages', 'Messages received per link', (l) => l.received);
  return registry;
}
