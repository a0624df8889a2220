/**
 * A KinD cluster created and deleted with the kind CLI from the config rendered by
 * `stacks/kind-config.ts`, its kubeconfig (secret) and a Kubernetes provider for it.
 */
import * as command from '@pulumi/command';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { renderKindConfig, type ClusterConfig, type StackConfig } from '../stacks';

export interface KindClusterArgs {
  /** The typed stack. */
  config: StackConfig;
  /** The cluster to create (name, role, region). */
  cluster: ClusterConfig;
}

export class KindCluster extends pulumi.ComponentResource {
  /** kind cluster name. */
  readonly clusterName: string;
  /** kubeconfig context kind writes: `kind-<name>`. */
  readonly context: string;
  /** The rendered kind config (no secrets in it). */
  readonly kindConfig: string;
  /** kubeconfig of the cluster (secret). */
  readonly kubeconfig: pulumi.Output<string>;
  /** Provider for everything deployed onto this cluster. */
  readonly provider: k8s.Provider;
  /** The create command: depend on it for anything that needs the node containers. */
  readonly created: command.local.Command;

  constructor(name: string, args: KindClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('cortex-iq:kind:KindCluster', name, {}, opts);
    if (args.config.target !== 'kind')
      throw new Error(`KindCluster '${name}': stack target is '${args.config.target}', not 'kind'`);
    this.clusterName = args.cluster.name;
    this.context = `kind-${args.cluster.name}`;
    this.kindConfig = renderKindConfig(args.config, args.cluster);
    const cluster = JSON.stringify(this.clusterName);

    this.created = new command.local.Command(
      `${name}-create`,
      {
        // Idempotent: an existing cluster of that name (e.g. after a lost state) is adopted.
        create: `kind get clusters | grep -qx ${cluster} || kind create cluster --name ${cluster} --config /dev/stdin --wait 180s`,
        delete: `kind delete cluster --name ${cluster}`,
        stdin: this.kindConfig,
        triggers: [this.kindConfig],
      },
      { parent: this },
    );
    const kubeconfig = new command.local.Command(
      `${name}-kubeconfig`,
      { create: `kind get kubeconfig --name ${cluster}`, triggers: [this.created.id] },
      { parent: this, dependsOn: [this.created], additionalSecretOutputs: ['stdout'] },
    );
    this.kubeconfig = pulumi.secret(kubeconfig.stdout);
    this.provider = new k8s.Provider(
      `${name}-provider`,
      // A stable identifier keeps a refreshed kubeconfig (new certs) from replacing every object.
      { kubeconfig: this.kubeconfig, clusterIdentifier: this.context, enableServerSideApply: true },
      { parent: this },
    );
    this.registerOutputs({
      clusterName: this.clusterName,
      context: this.context,
      kubeconfig: this.kubeconfig,
    });
  }
}
