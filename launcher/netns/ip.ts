/**
 * The `ip` and `tc` commands (iproute2) that build and change the namespaces' network, and the check
 * that this machine lets us use them. Every failure names the command and what it printed.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { NetnsError } from './errors';
import { NETNS_PREFIX } from './layout';

const run = promisify(execFile);

export { NetnsError };

/** Runs `ip …`; throws NetnsError with the command line and its stderr. */
export async function ip(...args: string[]): Promise<string> {
  return tool('ip', args);
}

export async function tc(...args: string[]): Promise<string> {
  return tool('tc', args);
}

async function tool(cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { timeout: 10_000 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string; code?: string };
    const why = e.code === 'ENOENT' ? `${cmd} is not installed (Debian: apt-get install iproute2)` : '';
    throw new NetnsError(`${cmd} ${args.join(' ')}: ${why || (e.stderr ?? '').trim() || e.message}`);
  }
}

/** Like `ip`, but a failure is ignored (cleaning up what may already be gone). */
export async function ipQuiet(...args: string[]): Promise<void> {
  await ip(...args).catch(() => undefined);
}

/**
 * Why network namespaces cannot be used here, or undefined when they can: Linux, root, iproute2,
 * and a namespace that can really be made (a container may refuse it even to root).
 */
export async function netnsUnavailable(): Promise<string | undefined> {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'network namespaces need root (run it with sudo)';
  const probe = `${NETNS_PREFIX}probe-${process.pid}`;
  try {
    await ip('netns', 'add', probe);
  } catch (err) {
    return `'ip netns add' is not allowed here: ${(err as Error).message}`;
  } finally {
    await ipQuiet('netns', 'del', probe);
  }
  return undefined;
}

/** Namespaces that exist now, by name. */
export async function listNamespaces(): Promise<string[]> {
  const text = await ip('netns', 'list');
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter(Boolean);
}

/** Pids of every process whose network namespace is `ns`. */
export async function namespacePids(ns: string): Promise<number[]> {
  const text = await ip('netns', 'pids', ns).catch(() => '');
  return text.split(/\s+/).filter(Boolean).map(Number);
}

/** Whether the kernel has netem (the kernel way to add delay and loss). Asked once per process. */
let netem: Promise<boolean> | undefined;
export function hasNetem(probeNs: string): Promise<boolean> {
  return (netem ??= (async () => {
    try {
      await tc('-n', probeNs, 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '0ms');
      await tc('-n', probeNs, 'qdisc', 'del', 'dev', 'lo', 'root');
      return true;
    } catch {
      return false;
    }
  })());
}
