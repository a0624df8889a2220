/**
 * The state file of a running `cortexiq up --netns` (`.cortexiq/run/netns-<id>.json` in the project):
 * how `cortexiq fault` finds the run's namespaces, links and ports, and where it records what it
 * changed. Written by `up` when the network is made, removed when the run ends.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../project-root';
import type { NetnsLayout } from './layout';

export interface LinkFaults {
  /** Link down on both ends of the veth. */
  cut: boolean;
  /** Added delay and loss, and how: the kernel's netem, or relay processes. */
  delay?: { ms: number; lossPercent: number; path: 'netem' | 'relay'; relayPids: number[] };
}

export interface NetnsState {
  runId: number;
  /** The `cortexiq up` process that owns the run. */
  pid: number;
  startedAt: string;
  layout: NetnsLayout;
  /** MACULA_GATEWAY_PORT of each cluster's gateway (QUIC on UDP, TLS on TCP). */
  gatewayPorts: Record<string, number>;
  /** By `a|b` (config order). */
  faults: Record<string, LinkFaults>;
}

export const linkKey = (a: string, b: string): string => `${a}|${b}`;

export function runDir(root = projectRoot()): string {
  return path.join(root, '.cortexiq', 'run');
}

export const stateFile = (runId: number, root?: string): string =>
  path.join(runDir(root), `netns-${runId}.json`);

export function writeState(state: NetnsState, root?: string): void {
  const file = stateFile(state.runId, root);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  fs.renameSync(tmp, file); // a reader never sees half a file
}

export function readState(runId: number, root?: string): NetnsState | undefined {
  try {
    return JSON.parse(fs.readFileSync(stateFile(runId, root), 'utf8')) as NetnsState;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${stateFile(runId, root)}: unreadable state file (${(err as Error).message})`);
  }
}

/** Removes the state file and the relays' logs of run `runId`. */
export function removeState(runId: number, root?: string): void {
  fs.rmSync(stateFile(runId, root), { force: true });
  for (const name of fs.existsSync(runDir(root)) ? fs.readdirSync(runDir(root)) : []) {
    if (name.startsWith(`relay-${runId}-`)) fs.rmSync(path.join(runDir(root), name), { force: true });
  }
}

/** Run ids with a state file, in order. */
export function stateIds(root?: string): number[] {
  let names: string[];
  try {
    names = fs.readdirSync(runDir(root));
  } catch {
    return [];
  }
  return names
    .map((n) => /^netns-(\d+)\.json$/.exec(n)?.[1])
    .filter((x): x is string => x !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
