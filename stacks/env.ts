/**
 * Environment per gateway and per app (docs/configuration.md, "In a cluster"; docs/protocol.md §3).
 * Values that are secret are never values here: they are references to Kubernetes Secret keys
 * (`SECRETS`), which the Pulumi program fills from @pulumi/random / @pulumi/tls and the local launcher
 * fills itself.
 */
import type { AppName } from './placement';
import type { StackConfig } from './schema';

export interface SecretRef {
  /** Kubernetes Secret name in the workload namespace. */
  secret: string;
  key: string;
}

export interface EnvSpec {
  /** Plain values, in a stable order. */
  plain: Readonly<Record<string, string>>;
  /** Variables whose value is secret, by reference. */
  secret: Readonly<Record<string, SecretRef>>;
}

/** The Secrets the program creates on each cluster (names and keys are shared with the rendered tree). */
export const SECRETS = {
  realmToken: { secret: 'cortexiq-realm', key: 'token' },
  meshSecret: { secret: 'cortexiq-mesh', key: 'secret' },
  tlsCert: { secret: 'macula-gateway-tls', key: 'tls.crt' },
  tlsKey: { secret: 'macula-gateway-tls', key: 'tls.key' },
  tlsCa: { secret: 'macula-gateway-tls', key: 'ca.crt' },
  /** The gateway's QUIC key (32-byte Ed25519 seed, hex) and the peer id apps pin it by. */
  quicKey: { secret: 'macula-gateway-tls', key: 'quic.key' },
  quicPeerId: { secret: 'macula-gateway-tls', key: 'quic.peer-id' },
  databasePassword: { secret: 'cortexiq-postgres', key: 'password' },
  databaseUrl: { secret: 'cortexiq-postgres', key: 'database-url' },
  secretKeyBase: { secret: 'cortexiq-dashboard', key: 'secret-key-base' },
  /** Bearer token of every gateway's admin API (ADMIN_TOKEN); the dashboard presents it (GATEWAY_ADMIN_TOKEN). */
  adminToken: { secret: 'cortexiq-admin', key: 'token' },
} as const satisfies Record<string, SecretRef>;

/** Service names inside a cluster's namespace. */
export const GATEWAY_SERVICE = 'macula-gateway';
export const POSTGRES_SERVICE = 'postgres';
export const DATABASE_NAME = 'cortexiq';
export const DATABASE_USER = 'cortexiq';

export function databaseUrl(password: string, host = POSTGRES_SERVICE, port = 5432): string {
  return `postgres://${DATABASE_USER}:${encodeURIComponent(password)}@${host}:${port}/${DATABASE_NAME}`;
}

export interface GatewayEnvInput {
  id: string;
  /** URLs of the peers this gateway dials through MESH_PEERS. */
  peerUrls: readonly string[];
  /** Hub layout: the hub's URL, for edges. */
  hubUrl?: string;
}

export function gatewayEnv(c: StackConfig, g: GatewayEnvInput): EnvSpec {
  const plain: Record<string, string> = {
    MACULA_GATEWAY_PORT: String(c.ports.gateway),
    MACULA_REALM: c.realm,
    GATEWAY_ID: g.id,
    MESH_PEERS: g.peerUrls.join(','),
    ADMIN_PORT: String(c.ports.admin),
  };
  if (g.hubUrl) plain.HUB_GATEWAY_URL = g.hubUrl;
  return {
    plain,
    secret: {
      MESH_SECRET: SECRETS.meshSecret,
      MACULA_TOKEN: SECRETS.realmToken,
      MACULA_TLS_CERT: SECRETS.tlsCert,
      MACULA_TLS_KEY: SECRETS.tlsKey,
      MACULA_TLS_CA: SECRETS.tlsCa,
      MACULA_QUIC_KEY: SECRETS.quicKey,
      // Without it the admin API answers only loopback callers, and the dashboard is another pod.
      ADMIN_TOKEN: SECRETS.adminToken,
    },
  };
}

export interface AppEnvInput {
  app: AppName;
  /** The local gateway's client URL (MACULA_URL). */
  maculaUrl: string;
  region?: string;
  homesSources?: readonly string[];
  providersSources?: readonly string[];
  providersCount?: number;
  /** The dashboard's GATEWAY_ADMIN_URLS: every gateway's admin API as reached from its pod. */
  adminUrls?: readonly string[];
}

export function appEnv(c: StackConfig, a: AppEnvInput): EnvSpec {
  const plain: Record<string, string> = {
    MACULA_URL: a.maculaUrl,
    MACULA_REALM: c.realm,
    HEALTH_PORT: String(c.ports.health),
  };
  // The client verifies its gateway over QUIC by the gateway's peer id, and over the TLS
  // fallback by the mesh CA; each variable applies to its own transport only.
  const secret: Record<string, SecretRef> = {
    MACULA_TOKEN: SECRETS.realmToken,
    MACULA_TLS_CA: SECRETS.tlsCa,
    MACULA_QUIC_PEER_ID: SECRETS.quicPeerId,
  };
  switch (a.app) {
    case 'simulation':
      plain.SIMULATION_SPEED = String(c.simulation.speed);
      plain.SIMULATION_START_DATE = c.simulation.startDate;
      plain.TICK_MS = String(c.simulation.tickMs);
      break;
    case 'homes':
      plain.HOMES_SOURCES = (a.homesSources ?? []).join(',');
      plain.REGION = a.region ?? '';
      break;
    case 'utilities':
      plain.PROVIDERS_COUNT = String(a.providersCount ?? c.providersCount);
      plain.PROVIDERS_SOURCES = (a.providersSources ?? []).join(',');
      plain.REGION = a.region ?? '';
      break;
    case 'projections':
    case 'queries':
      secret.DATABASE_URL = SECRETS.databaseUrl;
      break;
    case 'dashboard':
      plain.PORT = String(c.ports.dashboard);
      plain.PHX_HOST = c.dashboardHost;
      plain.GATEWAY_ADMIN_URLS = (a.adminUrls ?? []).join(',');
      secret.DATABASE_URL = SECRETS.databaseUrl;
      secret.SECRET_KEY_BASE = SECRETS.secretKeyBase;
      secret.GATEWAY_ADMIN_TOKEN = SECRETS.adminToken;
      break;
  }
  return { plain, secret };
}
