/**
 * A real `cortexiq up --netns` for the network-fault tests and `bench:netns`: starts it, finds each
 * gateway through the run's state file, runs `cortexiq fault` against it, and stops it with SIGINT
 * checking that nothing is left behind (processes, namespaces, host links, state file).
 */
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { promisify } from 'node:util';
import { readState, stateFile, type NetnsState } from '../../launcher/netns/state';
import { isRunning, parsePids, ROOT, startUp, type UpRun } from './cli-run';

const exec = promisify(execFile);
const BIN = `${ROOT}/bin/cortexiq.js`;
/** The admin APIs answer other namespaces only with a token: the run is given this one. */
export const ADMIN_TOKEN = 'netns-test-admin-token-0123456789';
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** Why this machine cannot run the netns tests, or undefined; synchronous so a suite can skip itself. */
export function netnsUnavailableSync(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  const probe = `cq-probe-${process.pid}`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
    execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    return `'ip netns add' is not allowed here: ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}`;
  }
}

export interface NetnsGateway {
  cluster: string;
  clientUrl: string;
  adminUrl: string;
}

export class NetnsUp {
  private constructor(
    readonly up: UpRun,
    readonly runId: number,
    readonly pids: Map<string, number>,
    readonly state: NetnsState,
  ) {}

  static async start(runId: number, extra: string[] = [], timeoutMs = 120_000): Promise<NetnsUp> {
    const up = startUp(['--netns', '--netns-id', String(runId), '--base-port', '29440', ...extra], ROOT, {
      ...process.env,
      ADMIN_TOKEN,
    });
    await up.waitForLine(/CortexIQ mesh is up: \d+ processes ready/, timeoutMs);
    await up.waitForLine(/^ {2}network namespaces:/, 5_000); // the end of the summary
    const state = readState(runId);
    if (!state) throw new Error(`no state file ${stateFile(runId)} while the run is up`);
    return new NetnsUp(up, runId, parsePids(up.output()), state);
  }

  gateway(cluster: string): NetnsGateway {
    const c = this.state.layout.clusters.find((x) => x.name === cluster);
    if (!c) throw new Error(`no cluster ${cluster}`);
    const port = this.state.gatewayPorts[cluster]!;
    // Admin ports follow the gateway ports, one per cluster (launcher/ports.ts).
    const admin = port + this.state.layout.clusters.length;
    return {
      cluster,
      clientUrl: `https://${c.hostAddress}:${port}`,
      adminUrl: `http://${c.hostAddress}:${admin}`,
    };
  }

  /** `cortexiq fault <args> --netns-id <id>`: what it printed; rejects with its output on failure. */
  async fault(...args: string[]): Promise<string> {
    const { stdout } = await exec(
      process.execPath,
      [BIN, 'fault', ...args, '--netns-id', String(this.runId)],
      {
        cwd: ROOT,
      },
    );
    return stdout;
  }

  /** SIGINT and wait; returns what is left behind (all lists empty when it cleaned up). */
  async stop(): Promise<{
    exit: { code: number | null };
    processes: string[];
    namespaces: string[];
    stateFile: boolean;
  }> {
    this.up.proc.kill('SIGINT');
    const exit = await this.up.exit;
    const processes = [...this.pids].filter(([, pid]) => isRunning(pid)).map(([name]) => name);
    const prefix = `cq-${this.runId}-`;
    const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.startsWith(prefix));
    const links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes(`${prefix}h`));
    return {
      exit,
      processes,
      namespaces: [...namespaces, ...links],
      stateFile: fs.existsSync(stateFile(this.runId)),
    };
  }

  kill(): void {
    if (this.up.proc.exitCode === null) this.up.proc.kill('SIGKILL');
  }
}

interface PeersView {
  peers: { gateway_id: string | null; state: string; rtt_ms: number | null }[];
}

interface TopologyView {
  nodes: { gateway_id: string; reachable: boolean; next_hop: string | null }[];
}

export async function peers(g: NetnsGateway): Promise<PeersView['peers']> {
  const res = await fetch(`${g.adminUrl}/api/peers`, { headers: auth, signal: AbortSignal.timeout(2000) });
  return ((await res.json()) as PeersView).peers;
}

export async function topology(g: NetnsGateway): Promise<TopologyView['nodes']> {
  const res = await fetch(`${g.adminUrl}/api/topology`, { headers: auth, signal: AbortSignal.timeout(2000) });
  return ((await res.json()) as TopologyView).nodes;
}

/** The mesh counters of every gateway (unroutable, replayed, …), for a failure message. */
export async function meshCounters(run: NetnsUp): Promise<string> {
  const lines = await Promise.all(
    run.state.layout.clusters.map(async (c) => {
      const text = await fetch(`${run.gateway(c.name).adminUrl}/metrics`, { headers: auth })
        .then((r) => r.text())
        .catch((e: Error) => e.message);
      const counters = text
        .split('\n')
        .filter((l) =>
          /^macula_mesh_(unroutable|replayed|replay_dropped|link_overflow|duplicates)\w*(\{[^}]*\})? /.test(
            l,
          ),
        )
        .map((l) => l.replace('macula_mesh_', ''));
      return `${c.name}: ${counters.join(', ')}`;
    }),
  );
  return lines.join('\n');
}

/** macula_mesh_unroutable_total summed over every gateway of the run. */
export async function unroutableTotal(run: NetnsUp): Promise<number> {
  const counts = await Promise.all(
    run.state.layout.clusters.map(async (c) => {
      const text = await (await fetch(`${run.gateway(c.name).adminUrl}/metrics`, { headers: auth })).text();
      const line = text.split('\n').find((l) => l.startsWith('macula_mesh_unroutable_total'));
      return Number(line?.split(' ').at(-1) ?? NaN);
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}

/** Polls `cond` every 100 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function until(
  what: string,
  cond: () => Promise<boolean> | boolean,
  timeoutMs: number,
  detail?: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await Promise.resolve(cond()).catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `: ${detail()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
