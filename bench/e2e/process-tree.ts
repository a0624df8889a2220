/**
 * Memory and CPU of a process and everything below it, from Linux /proc: what the whole local run
 * costs, PostgreSQL's server processes included (they are children of `cortexiq postgres`).
 */
import * as fs from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ; 100 on every Linux we run on). */
const USER_HZ = 100;

function children(pid: number): number[] {
  try {
    const tasks = fs.readdirSync(`/proc/${pid}/task`);
    return tasks.flatMap((t) =>
      fs.readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return []; // gone meanwhile
  }
}

/** `root` and all its descendants alive now. */
export function processTree(root: number): number[] {
  const all: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    all.push(pid);
    queue.push(...children(pid));
  }
  return all;
}

function rssBytes(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** User + system CPU seconds a process has used so far. */
function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at ") ".
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ; // utime, stime
  } catch {
    return 0;
  }
}

export interface TreeSample {
  processes: number;
  rssBytes: number;
  /** Per pid, so processes that start or end between samples are not miscounted. */
  cpu: Map<number, number>;
}

export function sampleTree(root: number): TreeSample {
  const pids = processTree(root);
  return {
    processes: pids.length,
    rssBytes: pids.reduce((sum, pid) => sum + rssBytes(pid), 0),
    cpu: new Map(pids.map((pid) => [pid, cpuSeconds(pid)])),
  };
}

/** CPU seconds used between two samples by the processes alive at the end. */
export function cpuBetween(a: TreeSample, b: TreeSample): number {
  let total = 0;
  for (const [pid, s] of b.cpu) total += s - (a.cpu.get(pid) ?? 0);
  return total;
}

/**
 * What a process of the run is, for the CPU breakdown: `cortexiq app homes` → "homes", a gateway →
 * "gateway", PostgreSQL's server processes → "postgres" (each connection is its own process).
 */
function roleOf(pid: number): string {
  try {
    const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const cli = args.findIndex((a) => a.endsWith('cortexiq.js'));
    if (cli >= 0)
      return args[cli + 1] === 'app' ? (args[cli + 2] ?? 'app') : (args[cli + 1] ?? 'cortexiq up');
    return /postgres/.test(args[0] ?? '') ? 'postgres' : (args[0]?.split('/').pop() ?? '?');
  } catch {
    return '?';
  }
}

/** CPU cores used between two samples, by role (roleOf), largest first. */
export function cpuByRole(a: TreeSample, b: TreeSample, seconds: number): [string, number][] {
  const byRole = new Map<string, number>();
  for (const [pid, s] of b.cpu) {
    const role = roleOf(pid);
    byRole.set(role, (byRole.get(role) ?? 0) + (s - (a.cpu.get(pid) ?? 0)) / seconds);
  }
  return [...byRole].sort((x, y) => y[1] - x[1]);
}
