/**
 * The state file of a running `cortexiq up` (`<data dir>/run.json`, docs/local-run.md): written once
 * the run is ready, removed when it stops. `cortexiq status` and `cortexiq down` find the run through
 * it, and a second `up` on the same folder is refused while its owner lives. A file whose process is
 * gone was left by a crashed run: it is reported and replaced.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isAlive } from './netns/state';
import type { LocalPlan } from './plan';

export interface RunState {
  /** The `cortexiq up` process: SIGTERM stops the whole run. */
  pid: number;
  /** Written at start (`starting`: only the pid is known) and again once everything is ready. */
  phase: 'starting' | 'ready';
  startedAt: string;
  readyMs: number;
  dashboardUrl?: string;
  database?: string;
  gateways: { id: string; role: string; adminUrl: string; adminToken?: string; peers: readonly string[] }[];
  processes: { name: string; kind: string; pid?: number; healthUrl: string }[];
  /** Where a detached run writes its output. */
  log?: string;
}

export const stateFileIn = (dataDir: string): string => path.join(dataDir, 'run.json');

export { isAlive };

export function readRunState(dataDir: string): RunState | undefined {
  try {
    return JSON.parse(fs.readFileSync(stateFileIn(dataDir), 'utf8')) as RunState;
  } catch {
    return undefined;
  }
}

/** The live run of this folder, undefined when none; a stale file is removed and reported. */
export function liveRun(dataDir: string, onStale?: (s: RunState) => void): RunState | undefined {
  const state = readRunState(dataDir);
  if (!state) return undefined;
  if (isAlive(state.pid)) return state;
  fs.rmSync(stateFileIn(dataDir), { force: true });
  onStale?.(state);
  return undefined;
}

export function stateOf(
  plan: LocalPlan,
  children: readonly {
    name: string;
    pid?: number;
    spec: { kind: string; healthUrl?: string; ready: { url: string } };
  }[],
  readyMs: number,
  log?: string,
): RunState {
  return {
    pid: process.pid,
    phase: 'ready',
    startedAt: new Date().toISOString(),
    readyMs,
    ...(plan.dashboardUrl ? { dashboardUrl: plan.dashboardUrl } : {}),
    ...(plan.database ? { database: plan.database.description } : {}),
    gateways: plan.gateways.map((g) => ({
      id: g.id,
      role: g.role,
      adminUrl: g.adminUrl,
      ...(g.adminToken ? { adminToken: g.adminToken } : {}),
      peers: g.peers,
    })),
    processes: children.map((c) => ({
      name: c.name,
      kind: c.spec.kind,
      ...(c.pid ? { pid: c.pid } : {}),
      // A gateway's probes are on its admin API.
      healthUrl: c.spec.healthUrl ?? c.spec.ready.url.replace(/\/ready$/, ''),
    })),
    ...(log ? { log } : {}),
  };
}

/** Written atomically (rename), readable by the owner only: it may hold the admin token. */
export function writeRunState(dataDir: string, state: RunState): void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = stateFileIn(dataDir);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
}

/** Removes the file if it is this process's own. */
export function removeRunState(dataDir: string, pid = process.pid): void {
  if (readRunState(dataDir)?.pid === pid) fs.rmSync(stateFileIn(dataDir), { force: true });
}
