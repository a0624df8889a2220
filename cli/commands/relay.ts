/**
 * `cortexiq relay` (internal, started by `cortexiq fault delay` inside a namespace): forwards UDP
 * and TCP from one address:port to another, adding delay and datagram loss (launcher/netns/relay.ts).
 * Prints one line when it listens, then nothing; SIGTERM stops it.
 */
import { parseArgs } from 'node:util';
import { CliError } from '../cli-error';
import { startRelay } from '../../launcher/netns/relay';

const USAGE = 'usage: cortexiq relay --listen HOST:PORT --to HOST:PORT [--ms N] [--loss PERCENT]\n';

function hostPort(name: string, text: string | undefined): { host: string; port: number } {
  const m = /^([\d.]+):(\d+)$/.exec(text ?? '');
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535)
    throw new CliError(`--${name}: expected IPV4:PORT, got '${text ?? ''}'\n\n${USAGE}`);
  return { host: m[1]!, port: Number(m[2]) };
}

export async function run(args: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        listen: { type: 'string' },
        to: { type: 'string' },
        ms: { type: 'string', default: '0' },
        loss: { type: 'string', default: '0' },
      },
      strict: true,
    }));
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n\n${USAGE}`);
  }
  const listen = hostPort('listen', values.listen);
  const to = hostPort('to', values.to);
  const ms = Number(values.ms);
  const lossPercent = Number(values.loss);
  if (!Number.isFinite(ms) || ms < 0) throw new CliError(`--ms: expected a number >= 0, got '${values.ms}'`);
  if (!(lossPercent >= 0 && lossPercent <= 100))
    throw new CliError(`--loss: expected a percentage from 0 to 100, got '${values.loss}'`);
  const relay = await startRelay({
    listenHost: listen.host,
    port: listen.port,
    targetHost: to.host,
    targetPort: to.port,
    ms,
    lossPercent,
  });
  process.stdout.write(`relay ${values.listen} -> ${values.to}: ${ms} ms, ${lossPercent} % loss\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await relay.close();
}
