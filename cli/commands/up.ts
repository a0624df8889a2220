/**
 * `cortexiq up`: the whole topology of a stack as local processes on this machine (docs/protocol.md §6) —
 * four gateways on loopback in the stack's mesh layout, then the apps placed as in domain.md §1, each
 * pointed at its own cluster's gateway. Ctrl-C (or --duration) stops everything cleanly.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { CliError } from '../cli-error';
import { APPS } from './app';
import { loadStackFile, stackFile, StackConfigError, type AppName } from '../../stacks';
import {
  DEFAULT_BASE_PORT,
  generateLocalSecrets,
  HOMES_PER_REGION,
  LaunchError,
  LOCAL_LAYOUTS,
  LocalRun,
  planLocalRun,
  projectRoot,
  type LocalLayout,
  type Transport,
} from '../../launcher';

const USAGE = `usage: cortexiq up [options]

  --stack NAME        stack file Pulumi.NAME.yaml (default dev; current folder, else the project's)
  --layout L          mesh layout: ${LOCAL_LAYOUTS.join(' | ')} (default: the stack's)
  --base-port P       first of the loopback ports (default ${DEFAULT_BASE_PORT}): gateways P.., admin APIs after them
  --transport T       quic | tls: what gateways dial each other and apps connect with (default quic)
  --homes N           homes per region: ${HOMES_PER_REGION.join(' | ')} (bundled files; default: the stack's)
  --duration S        stop cleanly after S seconds of being ready (tests, CI smoke)
  --verbose           print every info line of every process (default: warnings and errors, info summarised)
`;

interface UpOptions {
  stack: string;
  layout?: LocalLayout;
  basePort: number;
  transport: Transport;
  homes?: number;
  durationS?: number;
  verbose: boolean;
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
        duration: { type: 'string' },
        verbose: { type: 'boolean', default: false },
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
  return {
    stack: values.stack!,
    ...(layout ? { layout: layout as LocalLayout } : {}),
    basePort: integer('base-port', values['base-port'], 1) ?? DEFAULT_BASE_PORT,
    transport,
    homes: integer('homes', values.homes, 1),
    durationS: integer('duration', values.duration, 1),
    verbose: values.verbose!,
  };
}

/** The stack file in the current folder, else the project's own (so `npx cortexiq up` works anywhere). */
function stackDir(stack: string): string {
  return fs.existsSync(stackFile(stack)) ? process.cwd() : projectRoot();
}

const isBuilt = (app: AppName): boolean => Boolean(APPS[app]?.load);

export async function run(args: string[]): Promise<void> {
  const startedAt = Date.now();
  const o = parseUpArgs(args);
  if (!o) {
    process.stdout.write(USAGE);
    return;
  }
  let plan;
  try {
    const { config, file } = loadStackFile(o.stack, stackDir(o.stack));
    plan = planLocalRun(config, { ...o, secrets: generateLocalSecrets(), isBuilt });
    process.stdout.write(
      `cortexiq up: stack ${o.stack} (${path.relative(process.cwd(), file) || file}), layout ${plan.layout}, ` +
        `transport ${plan.transport}, ${plan.processes.length} processes\n`,
    );
  } catch (err) {
    if (err instanceof StackConfigError || err instanceof LaunchError) throw new CliError(err.message);
    throw err;
  }

  // Signals are ours from here on: while starting they abort the start (children stop in order, none
  // is orphaned); once ready they stop the run; a second one while stopping kills at once.
  const interrupt = new AbortController();
  let onSignal = (signal: NodeJS.Signals) =>
    interrupt.abort(new LaunchError(`interrupted by ${signal} while starting`));
  const listener = (signal: NodeJS.Signals) => onSignal(signal);
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);

  let running: LocalRun;
  try {
    running = await LocalRun.start(plan, {
      out: process.stdout,
      verbose: o.verbose,
      startedAt,
      signal: interrupt.signal,
    });
  } catch (err) {
    process.off('SIGINT', listener);
    process.off('SIGTERM', listener);
    if (interrupt.signal.aborted)
      throw new CliError(`${(err as Error).message}; stopped everything that had started`, 130);
    if (err instanceof LaunchError)
      throw new CliError(`${err.message}\nstopped everything that had started`, 1);
    throw err;
  }

  let timer: NodeJS.Timeout | undefined;
  const reason = await new Promise<string | LaunchError>((resolve) => {
    onSignal = (signal) => resolve(signal);
    if (o.durationS !== undefined)
      timer = setTimeout(() => resolve(`--duration ${o.durationS}`), o.durationS * 1000);
    else process.stdout.write('Ctrl-C stops everything.\n');
    void running.failed.then(resolve);
  });
  clearTimeout(timer);
  onSignal = () => running.killNow();

  const stopAt = Date.now();
  process.stdout.write(`stopping (${typeof reason === 'string' ? reason : 'a process failed'})…\n`);
  const report = await running.stop();
  process.off('SIGINT', listener);
  process.off('SIGTERM', listener);
  const killed =
    report.killed.length > 0 ? `; killed after the grace period: ${report.killed.join(', ')}` : '';
  process.stdout.write(
    `stopped ${report.stopped.length + report.killed.length} processes in ${((Date.now() - stopAt) / 1000).toFixed(1)} s${killed}\n`,
  );
  if (reason instanceof LaunchError) throw new CliError(reason.message, 1);
}
