/**
 * The local run as data (docs/local-run.md): from the typed stack to the list of processes `cortexiq up`
 * starts, each with its full environment, start stage and readiness check. Pure — no spawning, no
 * I/O — so layouts, placement and env are tested without a process, and the run follows the same
 * topology model as the Pulumi program (stacks/topology.ts) instead of a second description of it.
 */
import {
  DATABASE_APPS,
  deriveTopology,
  type AppName,
  type Layout,
  type MeshLink,
  type StackConfig,
} from '../stacks';
import * as path from 'node:path';
import { LaunchError } from './errors';
import { fillSecrets, UNAVAILABLE_SECRETS, type LocalSecrets } from './local-env';
import { homesSource, MAX_HOMES_PER_REGION } from './homes-files';
import type { IdentityFiles } from './dev-identities';
import {
  allocatePorts,
  gatewayClaims,
  gatewayPorts as gatewayPortsOf,
  LOOPBACK,
  type PortClaim,
} from './ports';

export type Transport = 'quic' | 'tls';
export const LOCAL_LAYOUTS = ['full', 'ring', 'hub'] as const;
export type LocalLayout = (typeof LOCAL_LAYOUTS)[number];

/**
 * Start order. The database first (the read side migrates against it) and so stopped last; the
 * gateways (every app connects to its own); the clock; then the providers and the projections, so
 * `accept_offer` is registered and the projections' durable subscription exists before homes
 * announce themselves; then the homes, the queries and the dashboard.
 */
export const STAGES = ['database', 'gateways', 'clock', 'providers', 'homes'] as const;
export type Stage = (typeof STAGES)[number];

/**
 * Stages the next one need not wait for: nothing connects to the database before the providers'
 * stage (the gateways start while initdb runs), and nothing needs the clock to be ready before the
 * homes' stage. Start-up on a loaded 2-core machine is mostly these waits, one after another.
 */
export const OVERLAPS_NEXT: ReadonlySet<Stage> = new Set<Stage>(['database', 'clock']);

const APP_STAGE: Record<AppName, Stage> = {
  simulation: 'clock',
  utilities: 'providers',
  homes: 'homes',
  projections: 'providers',
  queries: 'providers',
  dashboard: 'homes',
};

/** GET returns 200: the gateway's admin `/ready`, an app's health `/ready` (subscribed and registered). */
export interface ReadyCheck {
  kind: 'http';
  url: string;
}

export interface ProcessSpec {
  /** `<cluster>/<gateway|app>`: log prefix and the name in every message. */
  name: string;
  kind: 'gateway' | 'app' | 'database';
  cluster: string;
  app?: AppName;
  stage: Stage;
  /** Arguments of `bin/cortexiq.js`. */
  args: readonly string[];
  /** The complete configuration of the child (merged over a cleaned parent environment). */
  env: Readonly<Record<string, string>>;
  ready: ReadyCheck;
  readyTimeoutMs: number;
  /** Apps and the database: their health server (`/live`, `/ready`, `/metrics`). */
  healthUrl?: string;
  /** `--netns`: the network namespace the process runs in (its cluster's). */
  netns?: string;
}

export interface GatewayEndpoint {
  id: string;
  role: 'hub' | 'edge';
  region?: string;
  clientUrl: string;
  adminUrl: string;
  /** Ids of the gateways this one must have a link up with. */
  peers: readonly string[];
  /** Bearer token of its admin API (ADMIN_TOKEN), when the run sets one. */
  adminToken?: string;
}

export interface SkippedPart {
  /** `dashboard`, `PostgreSQL`, … */
  what: string;
  cluster: string;
  reason: string;
}

export interface LocalPlan {
  realm: string;
  layout: LocalLayout;
  transport: Transport;
  links: readonly MeshLink[];
  gateways: readonly GatewayEndpoint[];
  processes: readonly ProcessSpec[];
  skipped: readonly SkippedPart[];
  /** The dashboard's page, when the dashboard is part of the run. */
  dashboardUrl?: string;
  /** Where the read side's PostgreSQL is, password masked: embedded (with its folder) or DATABASE_URL. */
  database?: { description: string; embeddedDir?: string };
  /** Loopback ports to check before starting (none with --netns: each namespace has its own). */
  ports: readonly PortClaim[];
  /** `--netns`: every cluster in its own network namespace. */
  netns?: NetnsPlacement;
}

/**
 * Where each cluster lives with `--netns` (launcher/netns/layout.ts): its namespace, the address
 * other gateways dial, and the address this machine reaches its ports at.
 */
export interface NetnsPlacement {
  namespace(cluster: string): string;
  meshAddress(cluster: string): string;
  hostAddress(cluster: string): string;
}

export interface PlanOptions {
  basePort: number;
  transport: Transport;
  /** Overrides the stack's mesh layout. */
  layout?: LocalLayout;
  /**
   * Homes per region instead of the stack's `homesSources`: the bundled files for 50 and 1,000, else
   * files in `homesDir` (launcher/homes-files.ts writes them).
   */
  homes?: number;
  homesDir?: string;
  secrets: LocalSecrets;
  /** Whether `cortexiq app <name>` exists in this checkout (cli/commands/app.ts). */
  isBuilt: (app: AppName) => boolean;
  /** LOG_LEVEL of every child (the launcher summarises info and shows warnings and errors). */
  logLevel?: string;
  /** Runs each cluster in its own network namespace, reached at these addresses. */
  netns?: NetnsPlacement;
  /** The read side's database: an external DATABASE_URL, else the embedded one in `embeddedDir`. */
  database?: DatabaseChoice;
  /** The dashboard's PORT (default 4000). */
  dashboardPort?: number;
  /**
   * Folder under which the hub gateway keeps its durable log (GATEWAY_DATA_DIR = this/<cluster>), so
   * the read side's durable subscription survives a gateway crash (docs/loss.md).
   */
  gatewayDataDir?: string;
  /** Each gateway's development TLS identity (dev-identities.ts); made by the gateway when absent. */
  identities?: ReadonlyMap<string, IdentityFiles>;
  /** Only these apps (`--apps`); the embedded database only when one of them reads it. */
  apps?: readonly AppName[];
}

export type DatabaseChoice = { url: string; description: string } | { embeddedDir: string; password: string };

export const DEFAULT_DASHBOARD_PORT = 4000;

const url = (transport: Transport, port: number, host = LOOPBACK): string =>
  `${transport === 'quic' ? 'https' : 'tls'}://${host}:${port}`;

/** In a namespace a process listens on every address of it: loopback for its apps, the mesh and host links. */
const ANY = '0.0.0.0';

function checkOptions(config: StackConfig, o: PlanOptions): LocalLayout {
  const layout = o.layout ?? config.mesh.layout;
  if (!(LOCAL_LAYOUTS as readonly string[]).includes(layout)) {
    throw new LaunchError(
      `the stack's mesh layout '${layout}' is not supported by the local run; pass --layout ${LOCAL_LAYOUTS.join('|')}`,
    );
  }
  if (
    o.homes !== undefined &&
    !(Number.isInteger(o.homes) && o.homes >= 1 && o.homes <= MAX_HOMES_PER_REGION)
  ) {
    throw new LaunchError(`--homes: expected an integer from 1 to ${MAX_HOMES_PER_REGION}, got ${o.homes}`);
  }
  return layout as LocalLayout;
}

const identityEnv = (files: IdentityFiles | undefined): Record<string, string> =>
  files ? { MACULA_TLS_CERT: files.cert, MACULA_TLS_KEY: files.key } : {};

export function planLocalRun(config: StackConfig, o: PlanOptions): LocalPlan {
  const layout = checkOptions(config, o);
  const names = config.clusters.map((c) => c.name);
  const gatewayPorts = gatewayPortsOf(names, o.basePort); // range-checked with the apps below
  const portOf = (cluster: string) => gatewayPorts.get(cluster)!;
  const ns = o.netns;
  // Where this machine reaches a cluster's ports, and where its processes listen.
  const hostOf = (cluster: string) => (ns ? ns.hostAddress(cluster) : LOOPBACK);
  const bind = ns ? ANY : LOOPBACK;
  const inNs = (cluster: string) => (ns ? { netns: ns.namespace(cluster) } : {});
  const hubName = (config.clusters.find((c) => c.role === 'hub') ?? config.clusters[0]!).name;
  // The dashboard reaches every admin API from the hub: its own on loopback, the others over the mesh.
  const adminFromHub = (cluster: string) =>
    `http://${cluster === hubName || !ns ? LOOPBACK : ns.meshAddress(cluster)}:${portOf(cluster).admin}`;
  const topology = deriveTopology(
    { ...config, mesh: { ...config.mesh, layout: layout as Layout } },
    {
      peerUrl: (id) => url(o.transport, portOf(id).gateway, ns?.meshAddress(id)),
      // Apps reach their own gateway on loopback: in a namespace, that is their cluster's.
      clientUrl: (cluster) => url(o.transport, portOf(cluster).gateway),
      adminUrl: adminFromHub,
    },
  );
  const logLevel = o.logLevel ?? 'info';
  const processes: ProcessSpec[] = [];
  const apps: Omit<ProcessSpec, 'ready' | 'healthUrl'>[] = [];
  const skipped: SkippedPart[] = [];
  const gateways: GatewayEndpoint[] = [];
  // The embedded PostgreSQL listens on the first port after the admin APIs; the health ports follow.
  const pgPort = o.basePort + 2 * names.length;
  const wanted = (app: AppName) => !o.apps || o.apps.includes(app);
  const pgSlots =
    o.database &&
    'embeddedDir' in o.database &&
    topology.clusters.some((c) => c.postgres) &&
    DATABASE_APPS.some(wanted)
      ? 1
      : 0;
  const databaseUrl = !o.database
    ? undefined
    : 'url' in o.database
      ? o.database.url
      : `postgres://postgres:${encodeURIComponent(o.database.password)}@${LOOPBACK}:${pgPort}/cortexiq`;
  const secrets: LocalSecrets = { ...o.secrets, ...(databaseUrl ? { databaseUrl } : {}) };
  const dashboardPort = o.dashboardPort ?? DEFAULT_DASHBOARD_PORT;
  let dashboardUrl: string | undefined;

  for (const cluster of topology.clusters) {
    const p = portOf(cluster.name);
    const adminUrl = `http://${hostOf(cluster.name)}:${p.admin}`;
    const filled = fillSecrets(cluster.gateway.env, o.secrets);
    if ('missing' in filled) throw new Error(`gateway needs ${filled.missing.join(', ')}`);
    processes.push({
      name: `${cluster.name}/gateway`,
      kind: 'gateway',
      cluster: cluster.name,
      stage: 'gateways',
      args: ['gateway'],
      env: {
        ...cluster.gateway.env.plain,
        ...filled.env,
        MACULA_GATEWAY_HOST: bind,
        MACULA_GATEWAY_PORT: String(p.gateway),
        ADMIN_HOST: bind,
        ADMIN_PORT: String(p.admin),
        MACULA_TLS_INSECURE: '1',
        ...identityEnv(o.identities?.get(cluster.name)),
        LOG_LEVEL: logLevel,
        ...(o.gatewayDataDir && cluster.role === 'hub'
          ? { GATEWAY_DATA_DIR: path.join(o.gatewayDataDir, cluster.name) }
          : {}),
      },
      ready: { kind: 'http', url: `${adminUrl}/ready` },
      readyTimeoutMs: 30_000,
      ...inNs(cluster.name),
    });
    gateways.push({
      id: cluster.gateway.id,
      role: cluster.role,
      ...(cluster.region ? { region: cluster.region } : {}),
      clientUrl: url(o.transport, p.gateway, hostOf(cluster.name)),
      adminUrl,
      peers: cluster.gateway.peers,
      ...(o.secrets.adminToken ? { adminToken: o.secrets.adminToken } : {}),
    });
    if (cluster.postgres && pgSlots > 0 && o.database && 'embeddedDir' in o.database) {
      apps.push({
        name: `${cluster.name}/postgres`,
        kind: 'database',
        cluster: cluster.name,
        stage: 'database',
        args: ['postgres'],
        env: { EMBEDDED_PG_DIR: o.database.embeddedDir, PGPORT: String(pgPort), LOG_LEVEL: logLevel },
        // initdb on a first run takes a while on a busy 2-core machine.
        readyTimeoutMs: 120_000,
        ...inNs(cluster.name),
      });
    } else if (cluster.postgres && !o.database && DATABASE_APPS.some(wanted)) {
      skipped.push({
        what: 'PostgreSQL',
        cluster: cluster.name,
        reason: 'no database for this run (PlanOptions.database)',
      });
    }
    for (const node of cluster.apps) {
      if (!wanted(node.app)) continue;
      if (!o.isBuilt(node.app)) {
        skipped.push({ what: node.app, cluster: cluster.name, reason: 'not built yet' });
        continue;
      }
      const secret = fillSecrets(node.env, secrets);
      if ('missing' in secret) {
        skipped.push({
          what: node.app,
          cluster: cluster.name,
          reason: UNAVAILABLE_SECRETS[secret.missing[0]!]!,
        });
        continue;
      }
      const env: Record<string, string> = {
        ...node.env.plain,
        ...secret.env,
        MACULA_TLS_INSECURE: '1',
        LOG_LEVEL: logLevel,
      };
      if (node.app === 'dashboard') {
        env.PORT = String(dashboardPort);
        env.HOST = bind;
        dashboardUrl = `http://${hostOf(cluster.name)}:${dashboardPort}/`;
      }
      if (node.app === 'homes' && o.homes !== undefined && cluster.region) {
        env.HOMES_SOURCES = homesSource(cluster.region, o.homes, o.homesDir ?? '.');
      }
      apps.push({
        name: `${cluster.name}/${node.app}`,
        kind: 'app',
        cluster: cluster.name,
        app: node.app,
        stage: APP_STAGE[node.app],
        args: ['app', node.app],
        env,
        // Each home loads, subscribes and announces itself: 1,000 per region take a few seconds on
        // a shared 2-core machine, 10,000 close to a minute.
        readyTimeoutMs: node.app === 'homes' ? 45_000 + 20 * (o.homes ?? 0) : 45_000,
        ...inNs(cluster.name),
      });
    }
  }
  apps.sort((a, b) => STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage));
  const healthPorts = allocatePorts(names, apps.length + pgSlots, o.basePort).apps.slice(pgSlots);
  const appClaims: PortClaim[] = apps.map((app, i) => {
    const port = healthPorts[i]!;
    const healthUrl = `http://${hostOf(app.cluster)}:${port}`;
    processes.push({
      ...app,
      env: { ...app.env, HEALTH_PORT: String(port), HEALTH_HOST: bind },
      ready: { kind: 'http', url: `${healthUrl}/ready` },
      healthUrl,
    });
    return { port, protocols: ['tcp'], owner: `${app.name} health HTTP (HEALTH_PORT)` };
  });
  if (pgSlots > 0)
    appClaims.push({ port: pgPort, protocols: ['tcp'], owner: 'the embedded PostgreSQL (PGPORT)' });
  if (dashboardUrl)
    appClaims.push({
      port: dashboardPort,
      protocols: ['tcp'],
      owner: 'the dashboard (PORT; --dashboard-port)',
    });
  return {
    realm: topology.realm,
    layout,
    transport: o.transport,
    links: topology.links,
    gateways,
    processes,
    skipped,
    ...(dashboardUrl ? { dashboardUrl } : {}),
    ...(o.database
      ? {
          database:
            'url' in o.database
              ? { description: o.database.description }
              : {
                  description: `embedded PostgreSQL on ${LOOPBACK}:${pgPort}`,
                  embeddedDir: o.database.embeddedDir,
                },
        }
      : {}),
    ports: ns ? [] : [...gatewayClaims(gatewayPorts), ...appClaims],
    ...(ns ? { netns: ns } : {}),
  };
}

/** The processes of each stage, in start order (stages without processes are left out). */
export function stagesOf(plan: LocalPlan): { stage: Stage; processes: ProcessSpec[] }[] {
  return STAGES.map((stage) => ({
    stage,
    processes: plan.processes.filter((p) => p.stage === stage),
  })).filter((s) => s.processes.length > 0);
}
