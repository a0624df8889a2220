/**
 * `cortexiq gateway`: one mesh gateway configured by the environment (docs/configuration.md, gateway). A bad
 * or missing setting stops it at start with every problem named; SIGINT/SIGTERM stop it cleanly.
 */
import { CliError } from '../cli-error';
import { ConfigError, Gateway, loadGatewayConfig } from '../../gateway';

export async function run(args: string[]): Promise<void> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(
      [
        'usage: cortexiq gateway   (configured by the environment)',
        '',
        "  GATEWAY_ID            this gateway's id in the mesh (default gw-<hostname>)",
        '  MACULA_REALM          realm served (default be.cortexiq.energy)',
        '  MACULA_GATEWAY_PORT   QUIC (UDP) and TLS (TCP) port (default 9443)',
        '  MACULA_TRANSPORTS     quic,tls (default both)',
        '  MACULA_QUIC_STACK     ngtcp2, quinn or auto (default: ngtcp2 when its addon is built)',
        '  MESH_PEERS            comma-separated peer URLs: https://host:port (QUIC) or tls://host:port',
        '  HUB_GATEWAY_URL       the hub to dial in a hub-and-spoke mesh',
        '  ADMIN_HOST, ADMIN_PORT  admin HTTP address (default 0.0.0.0:8080); probes open to all,',
        '                        the rest needs ADMIN_TOKEN (bearer) or a loopback caller',
        '  MACULA_TOKEN          realm token clients must present (optional)',
        '  MACULA_MONITOR_TOKEN  token whose clients may also subscribe to realm-wide patterns (>, *.>)',
        '  MACULA_WIDE_SUBSCRIBE 1 lets any client subscribe to realm-wide patterns (default 0)',
        '  MESH_SECRET           shared secret peers prove to each other (>= 16 chars)',
        '  MESH_PEER_IDS         pinned peer identities (QUIC peer ids / TLS SHA-256 fingerprints)',
        '  MACULA_TLS_CERT/KEY/CA  PEM text or file paths; without them a development identity is made',
        '  MACULA_QUIC_KEY       64 hex chars: the QUIC Ed25519 seed (development: random)',
        "  MACULA_TLS_INSECURE   1 to accept peers' development identities",
        '  MESH_REPLAY_S         per-link replay window in seconds (default 30)',
        '  MESH_ORDER_WAIT_S     how long a missing publication holds back later ones (default 10)',
        '  MESH_STARTUP_HOLD_S   after a start, hold publications until the mesh interest is known, at most (10; 0 off)',
        '  HANDSHAKE_TIMEOUT_S   seconds a connection has to finish its handshake and send HELLO (default 10)',
        '  MAX_PENDING_HANDSHAKES  unauthenticated connections per transport; past it the oldest is dropped (256)',
        '  QUIC_RETRY_ABOVE      half-open QUIC connections from which clients must pass a Retry (default 16; 0 always)',
        '  QUIC_MAX_HALF_OPEN_PER_ADDRESS, QUIC_MAX_CONNECTIONS  QUIC caps (default 32, 10000; ngtcp2 stack)',
        '  DURABLE_MAX_MESSAGES, DURABLE_MAX_BYTES, MAX_FRAME_BYTES, CLIENT_MAX_QUEUE_BYTES, LOG_LEVEL',
        '  GATEWAY_DATA_DIR      folder of the durable log: durable subscriptions survive a crash (default: memory only)',
        '  GATEWAY_DATA_MAX_BYTES  bytes the log may take; past it the oldest segment and its events go (1 GiB)',
        '  GATEWAY_DATA_SYNC_MS  group commit: batch written and synced at most this long after its first event (5)',
        '',
      ].join('\n'),
    );
    return;
  }
  let config;
  try {
    config = loadGatewayConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
  let gw: Gateway;
  try {
    gw = await Gateway.start(config);
  } catch (err) {
    throw new CliError(`could not start: ${(err as Error).message}`, 1);
  }
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void gw.stop().then(() => process.exit(0));
  };
  // Handlers first, then the ready line: whoever waits for the line may signal at once.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.stdout.write(
    `gateway ${config.gatewayId} ready: ${Object.values(gw.urls()).join(' ')} admin ${gw.admin?.url}` +
      (config.transports.includes('quic') ? ` (QUIC stack ${config.quicStack})` : '') +
      '\n',
  );
}
