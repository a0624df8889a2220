/**
 * `cortexiq up`: the whole topology of a stack as local processes on this machine (docs/local-run.md):
 * an embedded PostgreSQL (unless DATABASE_URL is set), four gateways on loopback in the stack's mesh
 * layout, then the apps placed as in Kubernetes, each pointed at its own cluster's gateway. Ctrl-C
 * (or --duration) stops everything cleanly, the database last.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { CliError } from '../cli-error';
import { APPS } from './app';
import { loadStackFile, stackFile, StackConfigError, type AppName } from '../../stacks';
import {
  DEFAULT_BASE_PORT,
  DEFAULT_DASHBOARD_PORT,
  type DatabaseChoice,
  generateLocalSecrets,
  MAX_HOMES_PER_REGION,
  LaunchError,
  LOCAL_LAYOUTS,
  LocalRun,
  planLocalRun,
  projectRoot,
  type LocalLayout,
  type LocalPlan,
  type Transport,
  writeGeneratedHomes,
} from '../../launcher';
import { MAX_RUN_ID } from '../../launcher/netns/layout';
import { NetnsError } from '../../launcher/netns/errors';
import { NetnsRun, NetnsUnavailableError } from '../../launcher/netns/run';
import { ensureDevIdentities, identityFiles } from '../../launcher/dev-identities';
import { Progress } from '../../launcher/progress';
import { passwordFor } from '../../apps/shared/db/embedded';
import { liveRun, removeRunState, stateOf, writeRunState } from '../../launcher/run-state';
import { detach } from './up-detach';
import { checkDataFiles } from './up-preflight';
import { DatabaseConfigError, describeTarget, parseDatabaseUrl } from '../../apps/shared/db/url';

const USAGE = `usage: cortexiq up [options]

  --stack NAME        stack file Pulumi.NAME.yaml (default dev; current folder, else the project's)
  --layout L          mesh layout: ${LOCAL_LAYOUTS.join(' | ')} (default: the stack's)
  --base-port P       first of the loopback ports (default ${DEFAULT_BASE_PORT}): gateways P.., admin APIs after them
  --transport T       quic | tls: what gateways dial each other and apps connect with (default quic)
  --homes N           homes per region, 1-${MAX_HOMES_PER_REGION} (default: the stack's files); 50 and 1000 are
                      shipped, other counts generated (seeded) into DIR/homes
  --apps LIST         only these apps, comma-separated (default all of the stack's); the
                      database starts only when one of them reads it
  --dashboard-port P  the dashboard's port on 127.0.0.1 (default ${DEFAULT_DASHBOARD_PORT})
  --data-dir DIR      the run's folder: the embedded PostgreSQL's data in DIR/pg (default .cortexiq)
  --duration S        stop cleanly after S seconds of being ready (tests, CI smoke)
  --detach            run in the background once ready (output in DIR/up.log); then
                      \`cortexiq status\` shows it and \`cortexiq down\` stops it
  --verbose           print every info line of every process (default: warnings and errors, info summarised)
  --netns             Linux, root: each cluster in its own network namespace, mesh links over veth pairs
                      (cut, heal and delay them with \`cortexiq fault\`)
  --netns-id N        0-63: keeps concurrent --netns runs apart (names cq-N-*, host subnet 10.79.N.0/24; default 0)

  DATABASE_URL        set: the read side uses that PostgreSQL and no embedded one is started
`;

interface UpOptions {
  stack: string;
  layout?: LocalLayout;
  basePort: number;
  transport: Transport;
  homes?: number;
  dashboardPort: number;
  dataDir: string;
  apps?: AppName[];
  durationS?: number;
  verbose: boolean;
  detach: boolean;
  /** `--netns`: the run id (0 unless --netns-id). */
  netnsId?: number;
}

function integer(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min) {
    throw new CliError(`--${name}: expected an integer of at least ${min}, got '${text}'\n\n${USAGE}`);
  }
  return n;
}

export function parseUpArgs(args: string[]): UpOptions | undefined {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        stack: { type: 'string', default: 'dev' },
        layout: { type: 'string' },
        'base-port': { type: 'string' },
        transport: { type: 'string', default: 'quic' },
        homes: { type: 'string' },
        'dashboard-port': { type: 'string' },
        apps: { type: 'string' },
        'data-dir': { type: 'string', default: '.cortexiq' },
        duration: { type: 'string' },
        verbose: { type: 'boolean', default: false },
        detach: { type: 'boolean', default: false },
        netns: { type: 'boolean', default: false },
        'netns-id': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n\n${USAGE}`);
  }
  if (values.help) return undefined;
  const { layout, transport } = values;
  if (layout !== undefined && !(LOCAL_LAYOUTS as readonly string[]).includes(layout)) {
    throw new CliError(`--layout: expected one of ${LOCAL_LAYOUTS.join(', ')}, got '${layout}'`);
  }
  if (transport !== 'quic' && transport !== 'tls') {
    throw new CliError(`--transport: expected quic or tls, got '${transport}'`);
  }
  const netnsId = integer('netns-id', values['netns-id'], 0);
  if (netnsId !== undefined && !values.netns) throw new CliError('--netns-id: only with --netns');
  if (netnsId !== undefined && netnsId > MAX_RUN_ID)
    throw new CliError(`--netns-id: expected an integer from 0 to ${MAX_RUN_ID}, got ${netnsId}`);
  return {
    stack: values.stack!,
    ...(layout ? { layout: layout as LocalLayout } : {}),
    basePort: integer('base-port', values['base-port'], 1) ?? DEFAULT_BASE_PORT,
    transport,
    homes: integer('homes', values.homes, 1),
    dashboardPort: integer('dashboard-port', values['dashboard-port'], 1) ?? DEFAULT_DASHBOARD_PORT,
    dataDir: path.resolve(values['data-dir']!),
    ...(values.apps !== undefined ? { apps: appList(values.apps) } : {}),
    durationS: integer('duration', values.duration, 1),
    verbose: values.verbose!,
    detach: values.detach!,
    ...(values.netns ? { netnsId: netnsId ?? 0 } : {}),
  };
}

function appList(text: string): AppName[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(n in APPS));
  if (names.length === 0 || unknown.length > 0)
    throw new CliError(
      `--apps: expected a comma-separated list of ${Object.keys(APPS).join(', ')}` +
        (unknown.length > 0 ? `; unknown: ${unknown.join(', ')}` : ''),
    );
  return names as AppName[];
}

/** The stack file in the current folder, else the project's own (so `npx cortexiq up` works anywhere). */
function stackDir(stack: string): string {
  return fs.existsSync(stackFile(stack)) ? process.cwd() : projectRoot();
}

const isBuilt = (app: AppName): boolean => Boolean(APPS[app]?.load);

/**
 * The gateways' development identities, kept in the run's folder (launcher/dev-identities.ts): the
 * paths at once for the plan, and a promise that they exist, which the gateways wait for, so a
 * first run makes them while the database initialises.
 */
function keepIdentities(dataDir: string, clusters: string[], startedAt: number) {
  const t0 = Date.now();
  const progress = new Progress(process.stdout, startedAt);
  const files = identityFiles(path.join(dataDir, 'identities'), clusters);
  const ready = ensureDevIdentities(files).then(
    (made) => {
      if (made > 0)
        progress.step(
          `made ${made} development TLS identit${made > 1 ? 'ies' : 'y'} in ${((Date.now() - t0) / 1000).toFixed(1)} s, kept in ${path.join(dataDir, 'identities')} for the next runs`,
        );
    },
    (err: unknown) => {
      throw new LaunchError(
        `cannot keep the gateways' development identities in ${path.join(dataDir, 'identities')}: ${(err as Error).message}`,
      );
    },
  );
  ready.catch(() => undefined); // awaited by the launcher; a run that stops before must not crash on it
  return { files, ready };
}

export async function run(args: string[]): Promise<void> {
  const startedAt = Date.now();
  const o = parseUpArgs(args);
  if (!o) {
    process.stdout.write(USAGE);
    return;
  }
  const running = liveRun(o.dataDir, (stale) =>
    process.stdout.write(
      `removed the state file of a run that is gone (pid ${stale.pid}, ${stale.startedAt})\n`,
    ),
  );
  if (running) {
    throw new CliError(
      `a run is already going in ${o.dataDir} (pid ${running.pid}` +
        (running.dashboardUrl ? `, dashboard ${running.dashboardUrl}` : '') +
        '); `cortexiq down` stops it, or give this one another --data-dir',
      1,
    );
  }
  if (o.detach) return detach(args, o.dataDir);
  let plan;
  let netns: NetnsRun | undefined;
  let identities: ReturnType<typeof keepIdentities>;
  try {
    const { config, file } = loadStackFile(o.stack, stackDir(o.stack));
    netns = o.netnsId === undefined ? undefined : await prepareNetns(o.netnsId);
    const placement = netns?.placement(config.clusters.map((c) => c.name));
    const homesDir = path.join(o.dataDir, 'homes');
    identities = keepIdentities(
      o.dataDir,
      config.clusters.map((c) => c.name),
      startedAt,
    );
    plan = planLocalRun(config, {
      ...o,
      homesDir,
      gatewayDataDir: path.join(o.dataDir, 'gateways'),
      identities: identities.files,
      database: chooseDatabase(o.dataDir),
      // Across namespaces the admin APIs need a token (ADMIN_TOKEN of this shell, else a fresh one).
      secrets: generateLocalSecrets({
        adminToken: process.env.ADMIN_TOKEN?.trim() || (o.netnsId !== undefined ? true : undefined),
      }),
      isBuilt,
      ...(placement ? { netns: placement } : {}),
    });
    if (o.homes !== undefined) {
      const regions = config.clusters.flatMap((c) => (c.region ? [c.region] : []));
      const t0 = Date.now();
      const written = writeGeneratedHomes(regions, o.homes, homesDir);
      if (written.length > 0) {
        process.stdout.write(
          `generated ${o.homes} homes per region in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${written.join(', ')}\n`,
        );
      }
    }
    checkDataFiles(plan);
    process.stdout.write(
      `cortexiq up: stack ${o.stack} (${path.relative(process.cwd(), file) || file}), layout ${plan.layout}, ` +
        `transport ${plan.transport}, ${plan.processes.length} processes\n`,
    );
  } catch (err) {
    if (err instanceof StackConfigError || err instanceof LaunchError || err instanceof DatabaseConfigError)
      throw new CliError(err.message);
    throw err;
  }
  // The folder is this run's from here: a second `up` on it is refused, `down` finds this process.
  writeRunState(o.dataDir, {
    pid: process.pid,
    phase: 'starting',
    startedAt: new Date().toISOString(),
    readyMs: 0,
    gateways: [],
    processes: [],
  });
  try {
    if (!netns) return await runPlan(plan, o, startedAt, identities.ready);
    await runNetns(plan, netns, o, startedAt, identities.ready);
  } finally {
    removeRunState(o.dataDir);
  }
}

async function runNetns(
  plan: LocalPlan,
  netns: NetnsRun,
  o: UpOptions,
  startedAt: number,
  gatewaysNeed?: Promise<unknown>,
): Promise<void> {
  // Whatever happens from here, the namespaces, veths and relays go with the run.
  // Making or removing the network takes a moment that Ctrl-C must not cut short (leftovers).
  const hold = (signal: NodeJS.Signals) => {
    if (signal === 'SIGHUP') silenceOutput();
    else process.stdout.write('netns: finishing the network first…\n');
  };
  try {
    process.on('SIGINT', hold).on('SIGTERM', hold).on('SIGHUP', hold);
    const made = await netns.create(plan);
    process.off('SIGINT', hold).off('SIGTERM', hold).off('SIGHUP', hold);
    process.stdout.write(`${made}\n`);
    await runPlan(plan, o, startedAt, gatewaysNeed);
  } finally {
    process.on('SIGINT', hold).on('SIGTERM', hold).on('SIGHUP', hold);
    const removed = await netns.remove();
    process.off('SIGINT', hold).off('SIGTERM', hold).off('SIGHUP', hold);
    process.stdout.write(
      `netns: removed ${removed.namespaces.length} namespaces` +
        (removed.processes > 0 ? `, ended ${removed.processes} processes still inside` : '') +
        '\n',
    );
  }
}

/**
 * DATABASE_URL from the environment (checked now, so a bad one stops the run before anything
 * starts), else the embedded server in `<data dir>/pg`, whose password is kept beside its folder.
 */
function chooseDatabase(dataDir: string): DatabaseChoice {
  const url = process.env.DATABASE_URL?.trim();
  if (url) return { url, description: describeTarget(parseDatabaseUrl(url, 'DATABASE_URL')) };
  const embeddedDir = path.join(dataDir, 'pg');
  fs.mkdirSync(dataDir, { recursive: true });
  return { embeddedDir, password: passwordFor(embeddedDir) };
}

async function prepareNetns(runId: number): Promise<NetnsRun> {
  try {
    const netns = await NetnsRun.prepare(runId);
    const left = netns.leftovers;
    if (left.namespaces.length > 0) {
      process.stdout.write(
        `netns: removed what an earlier run with id ${runId} left: ${left.namespaces.join(', ')}` +
          (left.processes > 0 ? ` and ${left.processes} processes in them` : '') +
          '\n',
      );
    }
    return netns;
  } catch (err) {
    if (err instanceof NetnsUnavailableError) throw new CliError(err.message, 2);
    if (err instanceof NetnsError) throw new CliError(err.message, 1);
    throw err;
  }
}

/** The terminal is gone (SIGHUP): writes to it fail with EIO, which must not crash a stop. */
function silenceOutput(): void {
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
}

async function runPlan(
  plan: LocalPlan,
  o: UpOptions,
  startedAt: number,
  gatewaysNeed?: Promise<unknown>,
): Promise<void> {
  // Signals are ours from here on: while starting they abort the start (children stop in order, none
  // is orphaned); once ready they stop the run; a second one while stopping kills at once.
  const interrupt = new AbortController();
  let onSignal = (signal: NodeJS.Signals) =>
    interrupt.abort(new LaunchError(`interrupted by ${signal} while starting`));
  // SIGHUP too: the children have process groups of their own (launcher/child.ts), so a closed
  // terminal reaches only us, and we must take them with us. The terminal being gone, writing to it
  // fails (EIO), which must not crash the stop; and the shell and the kernel may each send one
  // SIGHUP, the second of which is not a second Ctrl-C.
  let hungUp = false;
  const listener = (signal: NodeJS.Signals) => {
    if (signal === 'SIGHUP') {
      if (hungUp) return;
      hungUp = true;
      silenceOutput();
    }
    onSignal(signal);
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.on(s, listener);

  let running: LocalRun;
  try {
    running = await LocalRun.start(plan, {
      out: process.stdout,
      verbose: o.verbose,
      startedAt,
      signal: interrupt.signal,
      gatewaysNeed,
    });
  } catch (err) {
    for (const s of signals) process.off(s, listener);
    if (interrupt.signal.aborted)
      throw new CliError(`${(err as Error).message}; stopped everything that had started`, 130);
    if (err instanceof LaunchError)
      throw new CliError(`${err.message}\nstopped everything that had started`, 1);
    throw err;
  }

  writeRunState(
    o.dataDir,
    stateOf(plan, running.children, running.readyMs, process.env.CORTEXIQ_DETACHED_LOG || undefined),
  );
  let timer: NodeJS.Timeout | undefined;
  const reason = await new Promise<string | LaunchError>((resolve) => {
    onSignal = (signal) => resolve(signal);
    if (o.durationS !== undefined)
      timer = setTimeout(() => resolve(`--duration ${o.durationS}`), o.durationS * 1000);
    else if (!process.env.CORTEXIQ_DETACHED_LOG) process.stdout.write('Ctrl-C stops everything.\n');
    void running.failed.then(resolve);
  });
  clearTimeout(timer);
  onSignal = () => running.killNow();

  const stopAt = Date.now();
  process.stdout.write(`stopping (${typeof reason === 'string' ? reason : 'a process failed'})…\n`);
  const report = await running.stop();
  for (const s of signals) process.off(s, listener);
  const killed =
    report.killed.length > 0 ? `; killed after the grace period: ${report.killed.join(', ')}` : '';
  process.stdout.write(
    `stopped ${report.stopped.length + report.killed.length} processes in ${((Date.now() - stopAt) / 1000).toFixed(1)} s${killed}\n`,
  );
  if (reason instanceof LaunchError) throw new CliError(reason.message, 1);
}
