/**
 * `cortexiq fault`: network faults on the mesh links of a running `cortexiq up --netns`. A cut sets
 * both ends of the link's veth down (the kernel drops the routes over it at once); heal sets them up,
 * puts the routes back and removes any delay; delay adds latency and loss with netem where the
 * kernel has it, and otherwise with two relay processes (relay.ts), one in each end's namespace.
 * Each function returns the sentence saying what it did, and records it in the run's state file.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI_ENTRY } from '../child';
import { hasNetem, ip, ipQuiet, NetnsError, tc } from './ip';
import { clusterOf, endsFrom, linkBetween, type NetnsLink } from './layout';
import { routeOver } from './network';
import { isAlive, linkKey, readState, runDir, stateIds, writeState, type NetnsState } from './state';

/** The state of the running netns run: `runId` when given, else the only one running. */
export function findRun(runId?: number, root?: string): NetnsState {
  const ids = runId === undefined ? stateIds(root) : [runId];
  const live = ids.map((id) => readState(id, root)).filter((s): s is NetnsState => !!s && isAlive(s.pid));
  if (live.length === 0) {
    throw new NetnsError(
      runId === undefined
        ? `no 'cortexiq up --netns' is running (no live state file in ${runDir(root)})`
        : `no 'cortexiq up --netns --netns-id ${runId}' is running`,
    );
  }
  if (live.length > 1) {
    throw new NetnsError(
      `${live.length} netns runs are running (ids ${live.map((s) => s.runId).join(', ')}); choose one with --netns-id`,
    );
  }
  return live[0]!;
}

const linkName = (link: NetnsLink) => `${link.a.cluster}↔${link.b.cluster}`;

function nsOf(state: NetnsState, cluster: string): string {
  return clusterOf(state.layout, cluster).namespace;
}

export async function cut(state: NetnsState, x: string, y: string, root?: string): Promise<string> {
  const link = linkBetween(state.layout, x, y);
  for (const end of [link.a, link.b])
    await ip('-n', nsOf(state, end.cluster), 'link', 'set', end.device, 'down');
  const key = linkKey(link.a.cluster, link.b.cluster);
  state.faults[key] = { ...state.faults[key], cut: true };
  writeState(state, root);
  return (
    `cut ${linkName(link)}: link down on ${link.a.device} in ${nsOf(state, link.a.cluster)} ` +
    `and ${link.b.device} in ${nsOf(state, link.b.cluster)}`
  );
}

export async function heal(state: NetnsState, x: string, y: string, root?: string): Promise<string> {
  const link = linkBetween(state.layout, x, y);
  const removed = await removeDelay(state, link);
  for (const end of [link.a, link.b])
    await ip('-n', nsOf(state, end.cluster), 'link', 'set', end.device, 'up');
  // Both ends are up before the routes go back: a route needs its device up.
  for (const end of [link.a, link.b]) await routeOver(state.layout, link, end.cluster);
  delete state.faults[linkKey(link.a.cluster, link.b.cluster)];
  writeState(state, root);
  return `healed ${linkName(link)}: link up on both ends, routes restored${removed ? `, ${removed}` : ''}`;
}

export interface DelayOptions {
  ms: number;
  lossPercent: number;
}

export async function delay(
  state: NetnsState,
  x: string,
  y: string,
  o: DelayOptions,
  root?: string,
): Promise<string> {
  const link = linkBetween(state.layout, x, y);
  const key = linkKey(link.a.cluster, link.b.cluster);
  await removeDelay(state, link);
  const faults = { cut: state.faults[key]?.cut ?? false };
  const what = `${o.ms} ms each way, ${o.lossPercent} % loss`;
  if (o.ms === 0 && o.lossPercent === 0) {
    state.faults[key] = faults;
    writeState(state, root);
    return `delay ${linkName(link)}: none now (direct path)`;
  }
  let how: string;
  if (await hasNetem(nsOf(state, link.a.cluster))) {
    for (const end of [link.a, link.b]) {
      await tc(
        ...['-n', nsOf(state, end.cluster), 'qdisc', 'replace', 'dev', end.device, 'root', 'netem'],
        ...['delay', `${o.ms}ms`, 'loss', `${o.lossPercent}%`],
      );
    }
    state.faults[key] = { ...faults, delay: { ...o, path: 'netem', relayPids: [] } };
    how = `by tc netem on ${link.a.device} and ${link.b.device}`;
  } else {
    const pids: number[] = [];
    state.faults[key] = { ...faults, delay: { ...o, path: 'relay', relayPids: pids } };
    // Recorded before each change, so that a fault command stopped half-way leaves a state that
    // heal can undo (the borrowed addresses go even when no relay pid was recorded).
    writeState(state, root);
    for (const end of [link.a.cluster, link.b.cluster]) {
      pids.push(await startRelay(state, link, end, o, root));
      writeState(state, root);
    }
    how = `by relay processes (this kernel has no netem): pid ${pids[0]} in ${nsOf(state, link.a.cluster)}, pid ${pids[1]} in ${nsOf(state, link.b.cluster)}`;
  }
  writeState(state, root);
  return `delay ${linkName(link)}: ${what}, ${how}`;
}

/**
 * Starts the relay in `from`'s namespace: it takes the far gateway's own address there, so the near
 * gateway's traffic to it (on the connections it dialled, and new ones) goes through the relay.
 */
async function startRelay(
  state: NetnsState,
  link: NetnsLink,
  from: string,
  o: DelayOptions,
  root?: string,
): Promise<number> {
  const { far } = endsFrom(link, from);
  const farCluster = clusterOf(state.layout, far.cluster);
  const port = state.gatewayPorts[far.cluster]!;
  const ns = nsOf(state, from);
  await ip('-n', ns, 'addr', 'add', `${farCluster.meshAddress}/32`, 'dev', 'lo');
  const logFile = path.join(runDir(root), `relay-${state.runId}-${from}-${far.cluster}.log`);
  const log = fs.openSync(logFile, 'a');
  const args = [
    ...['netns', 'exec', ns, process.execPath, CLI_ENTRY, 'relay'],
    ...['--listen', `${farCluster.meshAddress}:${port}`, '--to', `${far.address}:${port}`],
    ...['--ms', String(o.ms), '--loss', String(o.lossPercent)],
  ];
  const child = spawn('ip', args, { detached: true, stdio: ['ignore', 'pipe', log] });
  fs.closeSync(log);
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 20_000);
    child.stdout!.once('data', () => (clearTimeout(timer), resolve(true)));
    child.once('exit', () => (clearTimeout(timer), resolve(false)));
  });
  child.stdout!.destroy();
  child.unref();
  if (!ready) {
    if (child.pid) killRelay(child.pid);
    await ipQuiet('-n', ns, 'addr', 'del', `${farCluster.meshAddress}/32`, 'dev', 'lo');
    throw new NetnsError(`the relay in ${ns} did not start; see ${logFile}`);
  }
  return child.pid!;
}

/** SIGTERM to a relay of ours (its command line says so: a recycled pid is left alone). */
function killRelay(pid: number): void {
  try {
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmd.includes('relay')) process.kill(pid, 'SIGTERM');
  } catch {
    // gone already
  }
}

/** Removes a link's delay, whichever way it was made; says what it removed, or '' when none. */
async function removeDelay(state: NetnsState, link: NetnsLink): Promise<string> {
  const d = state.faults[linkKey(link.a.cluster, link.b.cluster)]?.delay;
  if (!d) return '';
  if (d.path === 'netem') {
    for (const end of [link.a, link.b]) {
      await tc('-n', nsOf(state, end.cluster), 'qdisc', 'del', 'dev', end.device, 'root').catch(
        () => undefined,
      );
    }
  } else {
    d.relayPids.forEach(killRelay);
    for (const end of [link.a.cluster, link.b.cluster]) {
      const far = clusterOf(state.layout, endsFrom(link, end).far.cluster);
      await ipQuiet('-n', nsOf(state, end), 'addr', 'del', `${far.meshAddress}/32`, 'dev', 'lo');
    }
  }
  delete state.faults[linkKey(link.a.cluster, link.b.cluster)]!.delay;
  return `delay removed (${d.path})`;
}

/** Every pair of clusters with a link (of cluster `of` only, when given), for `all` in the command line. */
export function allLinks(state: NetnsState, of?: string): [string, string][] {
  if (of !== undefined) clusterOf(state.layout, of);
  return state.layout.links
    .filter((l) => of === undefined || l.a.cluster === of || l.b.cluster === of)
    .map((l) => [l.a.cluster, l.b.cluster]);
}
