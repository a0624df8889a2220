/**
 * Gateway settings from the environment (README, Gateway; docs/protocol.md §1–4). Parsed once; every bad or
 * missing variable is reported together, each by name with what was expected.
 */
import { quicCongestionControl, quicStack, type QuicStack } from '../transport/select';
import { parsePeerUrl, type PeerUrl, type TransportName } from '../transport/url';
import { NGTCP2_ADDON, ngtcp2Available } from '../transport/ngtcp2-native';
import { readFileSync, existsSync } from 'node:fs';
import { dataDirProblem } from './data-dir';
import { hostname } from 'node:os';
import { z } from 'zod';

export { explicitPort, parsePeerUrl, type PeerUrl, type TransportName } from '../transport/url';

export interface GatewayConfig {
  gatewayId: string;
  realm: string;
  host: string;
  port: number;
  transports: TransportName[];
  /** Which QUIC stack listens and dials (MACULA_QUIC_STACK, resolved). */
  quicStack: QuicStack;
  meshPeers: PeerUrl[];
  hubUrl: PeerUrl | undefined;
  adminHost: string;
  adminPort: number;
  adminToken: string | undefined;
  /** Realm token clients must present, when set. */
  token: string | undefined;
  /**
   * A second token, also accepted at HELLO, whose clients may subscribe to realm-wide patterns
   * (no literal segment: `>`, `*.>`): monitoring and the dashboard, not every app.
   */
  monitorToken: string | undefined;
  /** Any client may subscribe to realm-wide patterns (an open development realm). */
  wideSubscribe: boolean;
  meshSecret: string | undefined;
  /** Pinned identities of mesh peers (QUIC peer ids or TLS SHA-256 fingerprints). */
  meshPeerIds: string[];
  tls: { certPem?: string; keyPem?: string; caPem?: string; quicSeed?: Uint8Array };
  /** Accept peers' development identities when dialing them. */
  insecure: boolean;
  meshReplayMs: number;
  /**
   * How long a destination holds back an origin's publications behind a missing one
   * (mesh/in-order.ts): long enough for the staggered returns of a heal, short enough that a
   * gateway frozen on the path does not stall the stream for the whole replay window.
   */
  meshOrderWaitMs: number;
  meshReplayMaxBytes: number;
  /** A gateway that dials peers holds its clients' publications this long at most after it starts,
   * until it has learned the mesh's interest (docs/loss.md "Restarts"); 0 = never. */
  meshStartupHoldMs: number;
  durableMaxMessages: number;
  durableMaxBytes: number;
  /** Gateway-wide bounds over all durable subscriptions (durable-store.ts). */
  durableMaxCount: number;
  durableTotalMaxBytes: number;
  /** A durable subscription without a client for this long is removed; 0 = never. */
  durableExpireMs: number;
  /**
   * Folder of the durable log (docs/loss.md "Durable subscriptions across a crash"); undefined keeps
   * durable subscriptions in memory only.
   */
  dataDir: string | undefined;
  /** Bytes the durable log may take on disk; past it the oldest segment goes. */
  dataMaxBytes: number;
  /** Group commit: a batch of the durable log is written and synced at most this long after it began. */
  dataSyncMs: number;
  maxFrameBytes: number;
  /** A connection must finish its transport handshake and send HELLO/PEER_HELLO within this. */
  handshakeTimeoutMs: number;
  /** Connections not yet authenticated (in their handshake, or before HELLO), per listener. */
  maxPendingHandshakes: number;
  /** QUIC (ngtcp2): Retry threshold and connection caps (transport.ts QuicAdmission). */
  quicAdmission: { retryAbove: number; maxHalfOpenPerAddress: number; maxConnections: number };
  clientMaxQueueBytes: number;
  clientMaxSubscriptions: number;
  clientMaxRegistrations: number;
  logLevel: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid gateway configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

const intIn = (min: number, max: number) =>
  z.coerce
    .number({ message: `expected an integer from ${min} to ${max}` })
    .int(`expected an integer from ${min} to ${max}`)
    .min(min, `expected an integer from ${min} to ${max}`)
    .max(max, `expected an integer from ${min} to ${max}`);

const boolFlag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''], { message: 'expected 1/0, true/false or yes/no' })
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const schema = z.object({
  GATEWAY_ID: z
    .string()
    .regex(ID, 'expected 1-63 characters of letters, digits, _ . - (starting with a letter or digit)')
    .optional(),
  MACULA_REALM: z
    .string()
    .regex(/^[a-z0-9]+(\.[a-z0-9_-]+)*$/, 'expected a dotted realm name like be.cortexiq.energy')
    .default('be.cortexiq.energy'),
  MACULA_GATEWAY_HOST: z.string().min(1).default('0.0.0.0'),
  MACULA_GATEWAY_PORT: intIn(0, 65535).default(9443),
  MACULA_TRANSPORTS: z.string().default('quic,tls'),
  MESH_PEERS: z.string().default(''),
  HUB_GATEWAY_URL: z.string().optional(),
  ADMIN_HOST: z.string().min(1).default('0.0.0.0'),
  ADMIN_PORT: intIn(0, 65535).default(8080),
  ADMIN_TOKEN: z.string().min(1).optional(),
  MACULA_TOKEN: z.string().min(1).optional(),
  MACULA_MONITOR_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
  MACULA_WIDE_SUBSCRIBE: boolFlag.default(false),
  MESH_SECRET: z.string().min(16, 'expected at least 16 characters').optional(),
  MESH_PEER_IDS: z.string().default(''),
  MACULA_TLS_CERT: z.string().optional(),
  MACULA_TLS_KEY: z.string().optional(),
  MACULA_TLS_CA: z.string().optional(),
  MACULA_QUIC_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex characters (a 32-byte Ed25519 seed)')
    .optional(),
  MACULA_TLS_INSECURE: boolFlag.default(false),
  MESH_REPLAY_S: intIn(0, 3600).default(30),
  MESH_ORDER_WAIT_S: intIn(0, 3600).default(10),
  MESH_REPLAY_MAX_BYTES: intIn(0, 2 ** 40).default(64 * 1024 * 1024),
  MESH_STARTUP_HOLD_S: intIn(0, 600).default(10),
  DURABLE_MAX_MESSAGES: intIn(1, 100_000_000).default(1_000_000),
  DURABLE_MAX_BYTES: intIn(1024, 2 ** 40).default(256 * 1024 * 1024),
  DURABLE_MAX_COUNT: intIn(1, 1_000_000).default(1000),
  DURABLE_TOTAL_MAX_BYTES: intIn(1024, 2 ** 42).default(1024 * 1024 * 1024),
  DURABLE_EXPIRE_S: intIn(0, 365 * 24 * 3600).default(0),
  GATEWAY_DATA_DIR: z.string().optional(),
  GATEWAY_DATA_MAX_BYTES: intIn(64 * 1024, 2 ** 44).default(1024 * 1024 * 1024),
  GATEWAY_DATA_SYNC_MS: intIn(1, 1000).default(5),
  MAX_FRAME_BYTES: intIn(1024, 64 * 1024 * 1024).default(1024 * 1024),
  HANDSHAKE_TIMEOUT_S: intIn(1, 300).default(10),
  MAX_PENDING_HANDSHAKES: intIn(1, 1_000_000).default(256),
  QUIC_RETRY_ABOVE: intIn(0, 1_000_000).default(16),
  QUIC_MAX_HALF_OPEN_PER_ADDRESS: intIn(1, 1_000_000).default(32),
  QUIC_MAX_CONNECTIONS: intIn(1, 10_000_000).default(10_000),
  CLIENT_MAX_QUEUE_BYTES: intIn(64 * 1024, 2 ** 32).default(32 * 1024 * 1024),
  CLIENT_MAX_SUBSCRIPTIONS: intIn(1, 1_000_000).default(10_000),
  CLIENT_MAX_REGISTRATIONS: intIn(1, 1_000_000).default(10_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** A PEM given inline, or a path to a file holding it. */
function pem(name: string, value: string | undefined, problems: string[]): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.includes('-----BEGIN')) return value;
  if (existsSync(value)) return readFileSync(value, 'utf8');
  problems.push(`${name}: expected PEM text or the path of a PEM file, got '${value.slice(0, 60)}'`);
  return undefined;
}

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const parsed = schema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
  }
  // The checks below run on the raw values too, so one start reports every problem at once.
  const e = parsed.success
    ? parsed.data
    : ({
        ...schema.partial().parse({}),
        MACULA_TRANSPORTS: env.MACULA_TRANSPORTS ?? 'quic,tls',
        MESH_PEERS: env.MESH_PEERS ?? '',
        HUB_GATEWAY_URL: env.HUB_GATEWAY_URL,
      } as z.infer<typeof schema>);
  const transports: TransportName[] = [];
  for (const t of e.MACULA_TRANSPORTS.split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (t === 'quic' || t === 'tls') transports.push(t);
    else problems.push(`MACULA_TRANSPORTS: unknown transport '${t}' (expected quic and/or tls)`);
  }
  if (transports.length === 0) problems.push('MACULA_TRANSPORTS: expected at least one of quic, tls');
  let stack: QuicStack = 'quinn';
  try {
    stack = quicStack(env);
    if (stack === 'ngtcp2' && !ngtcp2Available())
      problems.push(
        `MACULA_QUIC_STACK: ngtcp2 asked for, but its addon is not built (${NGTCP2_ADDON}; npm run build:native)`,
      );
  } catch (err) {
    problems.push((err as Error).message);
  }
  try {
    quicCongestionControl(env);
  } catch (err) {
    problems.push((err as Error).message);
  }
  const meshPeers: PeerUrl[] = [];
  for (const raw of e.MESH_PEERS.split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const peer = parsePeerUrl(raw);
    if (typeof peer === 'string') problems.push(`MESH_PEERS: ${peer}`);
    else meshPeers.push(peer);
  }
  let hubUrl: PeerUrl | undefined;
  if (e.HUB_GATEWAY_URL) {
    const peer = parsePeerUrl(e.HUB_GATEWAY_URL);
    if (typeof peer === 'string') problems.push(`HUB_GATEWAY_URL: ${peer}`);
    else hubUrl = peer;
  }
  if ((meshPeers.length > 0 || hubUrl) && !env.MESH_SECRET && !(env.MESH_PEER_IDS ?? '').trim()) {
    problems.push(
      'MESH_SECRET or MESH_PEER_IDS: expected one of them when MESH_PEERS or HUB_GATEWAY_URL is set, so that peers authenticate each other',
    );
  }
  const certPem = pem('MACULA_TLS_CERT', env.MACULA_TLS_CERT, problems);
  const keyPem = pem('MACULA_TLS_KEY', env.MACULA_TLS_KEY, problems);
  const caPem = pem('MACULA_TLS_CA', env.MACULA_TLS_CA, problems);
  if (Boolean(certPem) !== Boolean(keyPem)) {
    problems.push('MACULA_TLS_CERT and MACULA_TLS_KEY: expected both or neither');
  }
  const dataDir = env.GATEWAY_DATA_DIR ? env.GATEWAY_DATA_DIR : undefined;
  const dirProblem = dataDir === undefined ? undefined : dataDirProblem(dataDir);
  if (dirProblem) problems.push(`GATEWAY_DATA_DIR: ${dirProblem}`);
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return deepFreeze({
    gatewayId: e.GATEWAY_ID ?? `gw-${hostname()}`.slice(0, 63).replace(/[^A-Za-z0-9_.-]/g, '-'),
    realm: e.MACULA_REALM,
    host: e.MACULA_GATEWAY_HOST,
    port: e.MACULA_GATEWAY_PORT,
    transports,
    quicStack: stack,
    meshPeers,
    hubUrl,
    adminHost: e.ADMIN_HOST,
    adminPort: e.ADMIN_PORT,
    adminToken: e.ADMIN_TOKEN,
    token: e.MACULA_TOKEN,
    monitorToken: e.MACULA_MONITOR_TOKEN,
    wideSubscribe: e.MACULA_WIDE_SUBSCRIBE,
    meshSecret: e.MESH_SECRET,
    meshPeerIds: e.MESH_PEER_IDS.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    tls: {
      certPem,
      keyPem,
      caPem,
      quicSeed: e.MACULA_QUIC_KEY ? Buffer.from(e.MACULA_QUIC_KEY, 'hex') : undefined,
    },
    insecure: e.MACULA_TLS_INSECURE,
    meshReplayMs: e.MESH_REPLAY_S * 1000,
    // Never longer than the window: past it, what is missing has been given up upstream anyway.
    meshOrderWaitMs: Math.min(e.MESH_ORDER_WAIT_S, e.MESH_REPLAY_S) * 1000,
    meshReplayMaxBytes: e.MESH_REPLAY_MAX_BYTES,
    meshStartupHoldMs: e.MESH_STARTUP_HOLD_S * 1000,
    durableMaxMessages: e.DURABLE_MAX_MESSAGES,
    durableMaxBytes: e.DURABLE_MAX_BYTES,
    durableMaxCount: e.DURABLE_MAX_COUNT,
    durableTotalMaxBytes: e.DURABLE_TOTAL_MAX_BYTES,
    durableExpireMs: e.DURABLE_EXPIRE_S * 1000,
    dataDir,
    dataMaxBytes: e.GATEWAY_DATA_MAX_BYTES,
    dataSyncMs: e.GATEWAY_DATA_SYNC_MS,
    maxFrameBytes: e.MAX_FRAME_BYTES,
    handshakeTimeoutMs: e.HANDSHAKE_TIMEOUT_S * 1000,
    maxPendingHandshakes: e.MAX_PENDING_HANDSHAKES,
    quicAdmission: {
      retryAbove: e.QUIC_RETRY_ABOVE,
      maxHalfOpenPerAddress: e.QUIC_MAX_HALF_OPEN_PER_ADDRESS,
      maxConnections: e.QUIC_MAX_CONNECTIONS,
    },
    clientMaxQueueBytes: e.CLIENT_MAX_QUEUE_BYTES,
    clientMaxSubscriptions: e.CLIENT_MAX_SUBSCRIPTIONS,
    clientMaxRegistrations: e.CLIENT_MAX_REGISTRATIONS,
    logLevel: e.LOG_LEVEL,
  });
}

/** Config for tests and embedding: defaults plus overrides, without reading process.env. */
export function gatewayConfig(overrides: Partial<GatewayConfig> & { gatewayId: string }): GatewayConfig {
  const base = loadGatewayConfig({
    GATEWAY_ID: overrides.gatewayId,
    MACULA_GATEWAY_HOST: '127.0.0.1',
    ADMIN_HOST: '127.0.0.1',
    MACULA_GATEWAY_PORT: '0',
    ADMIN_PORT: '0',
    LOG_LEVEL: 'warn',
  });
  return deepFreeze({ ...base, ...overrides });
}

/**
 * Parsed once, then read-only (house style: typed config is frozen): a component that changed a
 * setting at run time would make the others disagree with it and with /metrics.
 */
function deepFreeze<T>(value: T): Readonly<T> {
  if (value && typeof value === 'object' && !Object.isFrozen(value) && !ArrayBuffer.isView(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
