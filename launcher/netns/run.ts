/**
 * The network-namespace side of `cortexiq up --netns`: checks that namespaces can be used, removes a
 * crashed run's leftovers, makes the network before the processes start, writes the state file that
 * `cortexiq fault` reads, and removes everything (namespaces, veths, relays, state file) at the end.
 */
import type { LocalPlan, NetnsPlacement } from '../plan';
import { NetnsError } from './errors';
import { netnsUnavailable } from './ip';
import { netnsLayout, type NetnsLayout } from './layout';
import { createNetwork, removeRun, type Removed } from './network';
import { isAlive, readState, removeState, stateFile, writeState } from './state';

/** Namespaces cannot be used on this machine: the CLI exits with code 2 and this message. */
export class NetnsUnavailableError extends NetnsError {}

/** Where each cluster lives: addresses depend on the cluster's position only, not on the links. */
export function placementOf(runId: number, clusters: readonly string[]): NetnsPlacement {
  const layout = netnsLayout(runId, clusters, []);
  const of = (name: string) => {
    const c = layout.clusters.find((x) => x.name === name);
    if (!c) throw new Error(`--netns: no namespace planned for cluster ${name}`);
    return c;
  };
  return {
    namespace: (name) => of(name).namespace,
    meshAddress: (name) => of(name).meshAddress,
    hostAddress: (name) => of(name).hostAddress,
  };
}

export class NetnsRun {
  private layout: NetnsLayout | undefined;

  private constructor(
    readonly runId: number,
    /** What a crashed run had left and was removed, if anything. */
    readonly leftovers: Removed,
  ) {}

  /** Checks the machine and the run id, and removes the leftovers of an earlier run with this id. */
  static async prepare(runId: number): Promise<NetnsRun> {
    const why = await netnsUnavailable();
    if (why) throw new NetnsUnavailableError(`--netns: ${why}`);
    const state = readState(runId);
    if (state && state.pid !== process.pid && isAlive(state.pid)) {
      throw new NetnsError(
        `--netns-id ${runId} is in use by a running 'cortexiq up --netns' (pid ${state.pid}, ${stateFile(runId)}); ` +
          'stop it, or choose another --netns-id',
      );
    }
    const leftovers = await removeRun(runId);
    removeState(runId);
    return new NetnsRun(runId, leftovers);
  }

  placement(clusters: readonly string[]): NetnsPlacement {
    return placementOf(this.runId, clusters);
  }

  /** Makes the namespaces and links of `plan`, then the state file; returns a line saying what. */
  async create(plan: LocalPlan): Promise<string> {
    const names = plan.gateways.map((g) => g.id);
    this.layout = netnsLayout(this.runId, names, plan.links);
    await createNetwork(this.layout);
    const gatewayPorts: Record<string, number> = {};
    for (const p of plan.processes)
      if (p.kind === 'gateway') gatewayPorts[p.cluster] = Number(p.env.MACULA_GATEWAY_PORT);
    writeState({
      runId: this.runId,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      layout: this.layout,
      gatewayPorts,
      faults: {},
    });
    const first = this.layout.clusters[0]!;
    return (
      `netns: ${names.length} namespaces (${first.namespace.replace(first.name, '*')}), ` +
      `${this.layout.links.length} mesh links over veth pairs, ` +
      this.layout.clusters.map((c) => `${c.name} ${c.meshAddress}`).join(', ') +
      `; this machine reaches them at ${this.layout.clusters.map((c) => c.hostAddress).join(', ')}`
    );
  }

  /** Removes everything of this run; what was still running inside is ended and counted. */
  async remove(): Promise<Removed> {
    const removed = await removeRun(this.runId);
    removeState(this.runId);
    return removed;
  }
}
