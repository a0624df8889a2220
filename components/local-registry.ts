/**
 * The local image registry of the kind target (docs/pulumi.md, Components: LocalRegistry; KEP-1755): a
 * registry container on the host port, attached to the kind network as `registry.macula.local` once the first
 * cluster exists, a containerd hosts.toml on every node, and the `local-registry-hosting` ConfigMap.
 *
 * Pushes need only the container (`container`); pulls on one cluster need the network attachment and
 * that cluster's hosts.toml (`pullReady(cluster)`), so nothing waits for clusters it does not use.
 */
import * as command from '@pulumi/command';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import {
  hostsTomlScript,
  localRegistryHosting,
  networkAttachScript,
  networkDetachScript,
  registryDeleteScript,
  registryHost,
  registryHostsToml,
  registryRunScript,
  registrySettings,
  type StackConfig,
} from '../stacks';

export interface RegistryClusterRef {
  /** kind cluster name. */
  name: string;
  /** Provider of that cluster. */
  provider: k8s.Provider;
  /** The resource that created the cluster's nodes (its id changes when they are recreated). */
  created: pulumi.CustomResource;
}

export interface LocalRegistryArgs {
  /** The typed stack (registry host port, container name, alias). */
  config: StackConfig;
  /** Every cluster that pulls from the registry. */
  clusters: RegistryClusterRef[];
}

export class LocalRegistry extends pulumi.ComponentResource {
  /** Address images are pushed to and referenced by: `localhost:<hostPort>`. */
  readonly address: string;
  /** Address inside the kind network: `registry.macula.local:5000`. */
  readonly networkAddress: string;
  /** The running registry container: what a push waits for. */
  readonly container: command.local.Command;
  private readonly pulls = new Map<string, pulumi.Resource[]>();

  constructor(name: string, args: LocalRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super('cortex-iq:registry:LocalRegistry', name, {}, opts);
    const c = args.config;
    const r = c.registry;
    if (args.clusters.length === 0) throw new Error(`LocalRegistry '${name}': no cluster to wire`);
    this.address = registryHost(c);
    this.networkAddress = `${r.alias}:5000`;

    this.container = new command.local.Command(
      `${name}-container`,
      {
        create: registryRunScript(c),
        delete: registryDeleteScript(c),
        triggers: [registrySettings(c)],
      },
      // One container name: the old container must be removed before its replacement runs.
      { parent: this, deleteBeforeReplace: true },
    );
    // The kind network exists only after the first cluster is created. A replaced container (new id)
    // is attached again; detach-then-attach, since both would name the same container.
    const network = new command.local.Command(
      `${name}-network`,
      {
        create: networkAttachScript(c),
        delete: networkDetachScript(c),
        triggers: [r.alias, this.container.id],
      },
      {
        parent: this,
        dependsOn: [this.container, ...args.clusters.map((cl) => cl.created)],
        deleteBeforeReplace: true,
        deletedWith: this.container,
      },
    );
    const toml = registryHostsToml(c);
    const dir = `/etc/containerd/certs.d/${this.address}`;
    for (const cl of args.clusters) {
      // Recreated nodes (a new create id) get the file again; without it they pull from their own
      // loopback, where no registry listens.
      const hosts = new command.local.Command(
        `${name}-hosts-${cl.name}`,
        { create: hostsTomlScript(cl.name, dir), stdin: toml, triggers: [toml, cl.created.id] },
        { parent: this, dependsOn: [cl.created] },
      );
      const hosting = new k8s.core.v1.ConfigMap(
        `${name}-hosting-${cl.name}`,
        {
          metadata: { name: 'local-registry-hosting', namespace: 'kube-public' },
          data: { 'localRegistryHosting.v1': localRegistryHosting(c) },
        },
        { parent: this, provider: cl.provider, dependsOn: [cl.created], deletedWith: cl.created },
      );
      this.pulls.set(cl.name, [network, hosts, hosting]);
    }
    this.registerOutputs({ address: this.address, networkAddress: this.networkAddress });
  }

  /** What a workload on `cluster` waits for before pulling: the network attachment and its hosts.toml. */
  pullReady(cluster: string): pulumi.Resource[] {
    const p = this.pulls.get(cluster);
    if (!p) throw new Error(`LocalRegistry: cluster '${cluster}' is not wired to the registry`);
    return p;
  }
}
