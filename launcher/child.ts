/**
 * One supervised child: `node bin/cortexiq.js <args>` with its planned environment, output split into
 * lines, the last lines kept for the failure report, and a bounded stop (SIGTERM, wait, SIGKILL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { PARENT_PIPE_ENV } from '../cli/parent-watch';
import { nodeFlagsFor } from './node-flags';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { ProcessSpec } from './plan';
import { projectRoot } from './project-root';

export const CLI_ENTRY = path.join(projectRoot(), 'bin', 'cortexiq.js');

/**
 * Variables of the contract (the stack model's settings and the gateway's) that the plan decides. They are
 * removed from the inherited environment so a MACULA_TOKEN or MESH_PEERS left in the user's shell
 * cannot silently change one child of the local mesh.
 */
const MANAGED =
  /^(MACULA_|MESH_|GATEWAY_ID$|HUB_GATEWAY_URL$|ADMIN_|REGION$|HOMES_|PROVIDERS_|SIMULATION_|TICK_MS$|DATABASE_URL$|SECRET_KEY_BASE$|PORT$|PHX_HOST$|LOG_LEVEL$|DURABLE_|CLIENT_MAX_|MAX_FRAME_BYTES$|SWITCH_THRESHOLD_EUR$|SWITCH_PROPENSITY$|NETWORK_TARIFFS$|CLIENT_ID$|PROJECTIONS_|QUERIES_|EMBEDDED_PG_DIR$|GATEWAY_ADMIN_URLS$)/;

export function childEnv(
  planned: Readonly<Record<string, string>>,
  parent: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(parent)) if (v !== undefined && !MANAGED.test(k)) env[k] = v;
  return { ...env, ...planned };
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export type LineListener = (line: string, stream: 'stdout' | 'stderr') => void;

export class Child {
  readonly pid: number | undefined;
  readonly exited: Promise<ExitInfo>;
  exit: ExitInfo | undefined;
  private readonly proc: ChildProcess;
  private readonly tail: { stream: 'stdout' | 'stderr'; line: string }[] = [];
  private readonly listeners: LineListener[] = [];

  constructor(
    readonly spec: ProcessSpec,
    private readonly tailSize = 40,
  ) {
    // The gateway and the projections run with their tuned Node flags, as in the container images.
    const nodeFlags = nodeFlagsFor(spec.args);
    const command = [process.execPath, ...nodeFlags, CLI_ENTRY, ...spec.args];
    // `ip netns exec` enters the namespace and then execs node: the pid stays the child's own.
    const [file, ...args] = spec.netns ? ['ip', 'netns', 'exec', spec.netns, ...command] : command;
    this.proc = spawn(file!, args, {
      // stdin: a pipe never written to, whose end tells the child we are gone (cli/parent-watch.ts).
      env: { ...childEnv(spec.env), [PARENT_PIPE_ENV]: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group: a terminal's Ctrl-C goes to the whole foreground group, and had
      // every child get it too, gateways and the database would stop at the same moment as the
      // apps still flushing to them. The launcher alone gets it and stops the stages in order.
      detached: true,
    });
    this.pid = this.proc.pid;
    this.exited = new Promise((resolve) => {
      // 'close' (not 'exit') so the last lines of output have been read when it fires.
      this.proc.once('close', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
      this.proc.once('error', (err) => {
        this.record('stderr', `could not start: ${err.message}`);
        this.exit = { code: null, signal: null };
        resolve(this.exit);
      });
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      const rl = readline.createInterface({ input: this.proc[stream]!, crlfDelay: Infinity });
      rl.on('line', (line) => this.record(stream, line));
    }
  }

  get name(): string {
    return this.spec.name;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  onLine(listener: LineListener): void {
    this.listeners.push(listener);
  }

  /** The last `n` lines, from stderr when it said anything (errors go there), else from all output. */
  lastLines(n = 8): string[] {
    const err = this.tail.filter((t) => t.stream === 'stderr');
    return (err.length > 0 ? err : this.tail).slice(-n).map((t) => t.line);
  }

  /**
   * SIGTERM, then SIGKILL when it has not exited within `graceMs`. Resolves how it ended:
   * `stopped` (exited after SIGTERM), `killed`, or `exited` (it was already gone).
   */
  async stop(graceMs: number): Promise<'stopped' | 'killed' | 'exited'> {
    if (!this.running) return 'exited';
    this.proc.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([
      this.exited.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
    ]);
    clearTimeout(timer);
    if (inTime) return 'stopped';
    this.kill();
    await this.exited;
    return 'killed';
  }

  /** SIGKILL at once (a second Ctrl-C, or the launcher itself exiting), to its whole group. */
  kill(): void {
    if (!this.running) return;
    try {
      // Its group: what it started (e.g. the embedded PostgreSQL's server) goes with it.
      process.kill(-this.pid!, 'SIGKILL');
    } catch {
      this.proc.kill('SIGKILL');
    }
  }

  private record(stream: 'stdout' | 'stderr', line: string): void {
    this.tail.push({ stream, line });
    if (this.tail.length > this.tailSize) this.tail.shift();
    for (const l of this.listeners) l(line, stream);
  }
}
