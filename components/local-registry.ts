/**
 * The local image registry of the kind target (infra.md §3 LocalRegistry, KEP-1755): a registry
 * container on the host port, attached to the kind network as `registry.macula.local` once the first
 * cluster exists, a containerd hosts.toml on every node, and the `local-registry-hosting` ConfigMap.
 */
import * as command from '@pulumi/command';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { localRegistryHosting, registryHost, registryHostsToml, type StackConfig } from '../stacks';

export interface RegistryClusterRef {
  /** kind cluster name. */
  name: string;
  /** Provider of that cluster. */
  provider: k8s.Provider;
  /** The resource that created the cluster's nodes. */
  created: pulumi.Resource;
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
  /** The running registry, attached to the kind network: depend on it before pushing or pulling. */
  readonly ready: pulumi.Resource;

  constructor(name: string, args: LocalRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super('cortex-iq:registry:LocalRegistry', name, {}, opts);
    const r = args.config.registry;
    if (args.clusters.length === 0) throw new Error(`LocalRegistry '${name}': no cluster to wire`);
    this.address = registryHost(args.config);
    this.networkAddress = `${r.alias}:5000`;
    const box = JSON.stringify(r.container);

    const container = new command.local.Command(
      `${name}-container`,
      {
        create: `docker inspect ${box} >/dev/null 2>&1 || docker run -d --restart=always --name ${box} -p 127.0.0.1:${r.hostPort}:5000 registry:2`,
        delete: `docker rm -f ${box}`,
        triggers: [r.hostPort, r.container],
      },
      { parent: this },
    );
    // The kind network exists only after the first cluster is created.
    const network = new command.local.Command(
      `${name}-network`,
      {
        create: `docker network inspect kind -f '{{range .Containers}}{{.Name}} {{end}}' | grep -qw ${box} || docker network connect --alias ${JSON.stringify(r.alias)} kind ${box}`,
        delete: `docker network disconnect kind ${box} || true`,
        triggers: [r.alias],
      },
      { parent: this, dependsOn: [container, ...args.clusters.map((c) => c.created)] },
    );
    const toml = registryHostsToml(args.config);
    const dir = `/etc/containerd/certs.d/${this.address}`;
    for (const cl of args.clusters) {
      new command.local.Command(
        `${name}-hosts-${cl.name}`,
        {
          create: [
            'toml=$(cat)',
            `for node in $(kind get nodes --name ${JSON.stringify(cl.name)}); do`,
            `  docker exec "$node" mkdir -p ${JSON.stringify(dir)}`,
            `  printf '%s\\n' "$toml" | docker exec -i "$node" sh -c ${JSON.stringify(`cat > ${dir}/hosts.toml`)}`,
            'done',
          ].join('\n'),
          stdin: toml,
          triggers: [toml, cl.created.urn],
        },
        { parent: this, dependsOn: [cl.created] },
      );
      new k8s.core.v1.ConfigMap(
        `${name}-hosting-${cl.name}`,
        {
          metadata: { name: 'local-registry-hosting', namespace: 'kube-public' },
          data: { 'localRegistryHosting.v1': localRegistryHosting(args.config) },
        },
        { parent: this, provider: cl.provider, dependsOn: [cl.created] },
      );
    }
    this.ready = network;
    this.registerOutputs({ address: this.address, networkAddress: this.networkAddress });
  }
}
