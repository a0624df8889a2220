/** Runs `cortexiq up` as a real child process for the launcher tests and reads its output by line. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'cortexiq.js');

/** A base port in a range clear of the defaults, so parallel runs and other tests rarely meet. */
export function randomBasePort(): number {
  // Below the kernel's ephemeral range (32768+): tests running in parallel bind ephemeral ports
  // (every QUIC dial opens a UDP socket on one), which must not land in the launcher's range.
  return 20_000 + Math.floor(Math.random() * 12_000);
}

export interface UpRun {
  proc: ChildProcess;
  /** Everything printed so far (stdout and stderr interleaved as read). */
  output(): string;
  /** Resolves with the first line matching `re`; rejects after `timeoutMs` showing the output so far. */
  waitForLine(re: RegExp, timeoutMs: number): Promise<string>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Ctrl-C as a terminal sends it: SIGINT to every process of the run's group (with `processGroup`). */
  interrupt(): void;
}

/**
 * Runs `cortexiq up` with `args`. Unless they say otherwise, each run gets a data folder of its own
 * (removed when it exits) and, on loopback, a dashboard port next to its range, so runs in parallel
 * test files never share a database folder, a run lock or port 4000.
 */
/** A new empty run folder under the system's temporary folder. */
export function freshDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cortexiq-run-'));
  fs.chmodSync(dir, 0o755); // as root, the embedded PostgreSQL runs as another user
  return dir;
}

/**
 * `processGroup`: run it in a process group of its own, like a shell's foreground job, so that
 * interrupt() signals the whole group as a terminal's Ctrl-C does. Off by default: the run then
 * shares the caller's group, and a Ctrl-C on the test or bench run reaches it too.
 */
export function startUp(
  args: string[],
  cwd = ROOT,
  env: NodeJS.ProcessEnv = process.env,
  opts: { processGroup?: boolean } = {},
): UpRun {
  const extra: string[] = [];
  let ownDir: string | undefined;
  if (!args.includes('--data-dir')) {
    ownDir = freshDataDir();
    extra.push('--data-dir', ownDir);
  }
  const base = args.indexOf('--base-port');
  if (base >= 0 && !args.includes('--dashboard-port') && !args.includes('--netns'))
    extra.push('--dashboard-port', String(Number(args[base + 1]) + 100));
  const proc = spawn(process.execPath, [BIN, 'up', ...args, ...extra], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.processGroup === true,
  });
  if (ownDir) proc.once('close', () => fs.rmSync(ownDir!, { recursive: true, force: true }));
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (line: string) => void }[] = [];
  let partial = '';
  const onData = (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const w of waiters.filter((x) => x.re.test(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('close', (code, signal) => resolve({ code, signal })),
  );
  const output = () => [...lines, partial].join('\n');
  return {
    proc,
    output,
    exit,
    interrupt: () => (opts.processGroup ? process.kill(-proc.pid!, 'SIGINT') : proc.kill('SIGINT')),
    waitForLine(re, timeoutMs) {
      const seen = lines.find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no line matching ${re} within ${timeoutMs} ms; output:\n${output()}`)),
          timeoutMs,
        );
        waiters.push({ re, resolve: (l) => (clearTimeout(timer), resolve(l)) });
        void exit.then(() => {
          clearTimeout(timer);
          reject(new Error(`cortexiq up exited before a line matching ${re}; output:\n${output()}`));
        });
      });
    },
  };
}

/** `pids: a/gateway=12 b/homes=34` → { 'a/gateway': 12, … } */
export function parsePids(output: string): Map<string, number> {
  const line = output.split('\n').find((l) => l.trim().startsWith('pids:'));
  if (!line) throw new Error(`no pids line in:\n${output}`);
  return new Map(
    line
      .trim()
      .slice('pids:'.length)
      .trim()
      .split(/\s+/)
      .map((pair) => {
        const [name, pid] = pair.split('=');
        return [name!, Number(pid)];
      }),
  );
}

/** Pids of the direct children of `pid` right now (Linux /proc). */
export function childPids(pid: number): number[] {
  const text = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
  return text.split(/\s+/).filter(Boolean).map(Number);
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const tempDirs: string[] = [];

/** Removes the folders made by `miniStackDir` (call in afterAll). */
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** A one-cluster stack (hub only: gateway + simulation) in a temporary folder: the cheapest real run. */
export function miniStackDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cortexiq-up-'));
  tempDirs.push(dir);
  fs.writeFileSync(
    path.join(dir, 'Pulumi.mini.yaml'),
    [
      'config:',
      '  cortex-iq:realm: be.cortexiq.energy',
      '  cortex-iq:clusters:',
      '    - name: macula-hub',
      '      role: hub',
      '  cortex-iq:images:',
      '    tag: test',
      '  cortex-iq:flux:',
      '    version: 2.3.0',
      '    chartVersion: 2.13.0',
      '',
    ].join('\n'),
  );
  return dir;
}
