/**
 * `cortexiq <command>`: the one entry point that starts every part of the system.
 * Each command lives in its own module under `cli/commands/` and is loaded only when asked for,
 * so `cortexiq render` never pays for loading the gateway and vice versa.
 */
import { CliError } from './cli-error';
import { watchParent } from './parent-watch';

interface CommandModule {
  run(args: string[]): Promise<void>;
}

/** Command name → [one-line summary, module loader]. */
const COMMANDS: Record<string, [string, () => CommandModule]> = {
  gateway: ['run one mesh gateway, configured by the environment', () => require('./commands/gateway')],
  app: [
    'run one app: simulation | homes | utilities | projections | queries | dashboard',
    () => require('./commands/app'),
  ],
  up: [
    'run the whole four-cluster topology as local processes (the embedded default)',
    () => require('./commands/up'),
  ],
  postgres: [
    'run the embedded PostgreSQL of a local run (EMBEDDED_PG_DIR, PGPORT); `up` starts it',
    () => require('./commands/postgres'),
  ],
  status: [
    'what a run started with `up --detach` (or in another terminal) is doing: status [--json]',
    () => require('./commands/status'),
  ],
  down: ['stop a run started with `up --detach` (or in another terminal)', () => require('./commands/down')],
  fault: [
    'cut, heal or delay a mesh link of a running `up --netns`: fault cut|heal|delay <a> <b>',
    () => require('./commands/fault'),
  ],
  relay: [
    'internal: the delaying UDP+TCP relay `fault delay` starts inside a namespace',
    () => require('./commands/relay'),
  ],
  render: [
    'write the Flux GitOps tree for a stack: render [--stack dev] [--out deploy/]',
    () => require('./commands/render'),
  ],
};

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, [summary]]) => `  ${name.padEnd(9)} ${summary}`);
  return ['usage: cortexiq <command> [options]', '', 'commands:', ...lines].join('\n');
}

export async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`cortexiq: unknown command '${name}'\n\n${usage()}\n`);
    process.exitCode = 2;
    return;
  }
  watchParent();
  try {
    await entry[1]().run(rest);
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`cortexiq ${name}: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    throw err;
  }
}
