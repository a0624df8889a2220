/**
 * `cortexiq down`: stops the run of a folder (`up --detach`, or an `up` in another terminal) the way
 * Ctrl-C would (SIGTERM to `up`, which stops its processes, the database last) and waits for it.
 */
import * as path from 'node:path';
import { CliError } from '../cli-error';
import { parseOptions } from '../parse-options';
import { isAlive, liveRun, stateFileIn } from '../../launcher/run-state';

const USAGE = `usage: cortexiq down [--data-dir DIR] [--timeout S]

  --data-dir DIR   the run's folder (default .cortexiq), as given to \`cortexiq up\`
  --timeout S      how long to wait for it to stop (default 60)
`;

export async function run(args: string[]): Promise<void> {
  const values = parseOptions(
    args,
    {
      'data-dir': { type: 'string', default: '.cortexiq' },
      timeout: { type: 'string', default: '60' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    USAGE,
  );
  if (values.help) return void process.stdout.write(USAGE);
  const timeoutS = Number(values.timeout);
  if (!/^\d+$/.test(values.timeout!) || timeoutS < 1)
    throw new CliError(`--timeout: expected a whole number of seconds, got '${values.timeout}'`);
  const dataDir = path.resolve(values['data-dir']!);
  const state = liveRun(dataDir, (stale) =>
    process.stdout.write(`removed the state file of a run that is gone (pid ${stale.pid})\n`),
  );
  if (!state) throw new CliError(`no run in ${dataDir} (nothing to stop)`, 1);
  process.stdout.write(`stopping the run in ${dataDir} (pid ${state.pid})…\n`);
  process.kill(state.pid, 'SIGTERM');
  const started = Date.now();
  while (isAlive(state.pid)) {
    if (Date.now() - started > timeoutS * 1000) {
      throw new CliError(
        `the run (pid ${state.pid}) has not stopped after ${timeoutS} s; its processes and their pids are in ${stateFileIn(dataDir)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  process.stdout.write(`stopped in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
