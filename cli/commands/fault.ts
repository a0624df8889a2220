/**
 * `cortexiq fault cut|heal|delay <cluster-a> <cluster-b>`: network faults on a mesh link of the
 * running `cortexiq up --netns` (launcher/netns/fault.ts), found by its state file. `all` instead of
 * the two clusters applies it to every link of the run. Prints what it did, and how.
 */
import { parseArgs } from 'node:util';
import { CliError } from '../cli-error';
import { allLinks, cut, delay, findRun, heal } from '../../launcher/netns/fault';
import { NetnsError, netnsUnavailable } from '../../launcher/netns/ip';

const USAGE = `usage: cortexiq fault cut|heal <cluster-a> <cluster-b> [--netns-id N]
       cortexiq fault delay <cluster-a> <cluster-b> [--ms N] [--loss PERCENT] [--netns-id N]
       (\`all\` instead of the two clusters: every link of the run; \`<cluster> all\`: every link
        of that cluster; cuts and heals of several links happen at the same moment)

  cut     both ends of the link's veth down: the link is gone until healed
  heal    link up again, routes restored, any delay removed
  delay   --ms added each way and --loss % of datagrams dropped, by tc netem where the kernel has
          it, else by a relay process in each end's namespace (--ms 0 --loss 0 removes it)
  --netns-id N   which run, when several 'cortexiq up --netns' run (default: the only one)
`;

function number(name: string, text: string, max: number): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0 || n > max)
    throw new CliError(`--${name}: expected a number from 0 to ${max}, got '${text}'\n\n${USAGE}`);
  return n;
}

export async function run(args: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ms: { type: 'string', default: '0' },
        loss: { type: 'string', default: '0' },
        'netns-id': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return void process.stdout.write(USAGE);
  const [action, x, y, ...extra] = positionals;
  if (!action || !['cut', 'heal', 'delay'].includes(action))
    throw new CliError(`expected cut, heal or delay, got '${action ?? ''}'\n\n${USAGE}`);
  const pairsAll = x === 'all' && y === undefined;
  if (!pairsAll && (!x || !y || x === 'all' || extra.length > 0))
    throw new CliError(`${action}: expected two cluster names (or all)\n\n${USAGE}`);
  const delayOptions = {
    ms: number('ms', values.ms!, 60_000),
    lossPercent: number('loss', values.loss!, 100),
  };
  if (action !== 'delay' && (values.ms !== '0' || values.loss !== '0'))
    throw new CliError(`--ms and --loss belong to delay, not ${action}`);
  const unavailable = await netnsUnavailable();
  if (unavailable) throw new CliError(unavailable, 2);
  const runId = values['netns-id'] === undefined ? undefined : number('netns-id', values['netns-id'], 63);
  // A reader that goes away (`| head`) must not stop a change half-way through.
  process.stdout.on('error', () => undefined);
  try {
    const state = findRun(runId);
    const pairs = pairsAll
      ? allLinks(state)
      : y === 'all'
        ? allLinks(state, x)
        : [[x!, y!] as [string, string]];
    if (action === 'delay') {
      for (const [a, b] of pairs) process.stdout.write((await delay(state, a, b, delayOptions)) + '\n');
    } else {
      // Together, not one after the other: cutting a cluster off must not first leave it a detour.
      const op = action === 'cut' ? cut : heal;
      const said = await Promise.all(pairs.map(([a, b]) => op(state, a, b)));
      process.stdout.write(said.join('\n') + '\n');
    }
  } catch (err) {
    if (err instanceof NetnsError) throw new CliError(err.message, 1);
    throw err;
  }
}
