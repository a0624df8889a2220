/**
 * A KinD cluster created and deleted with the kind CLI from the config rendered by
 * `stacks/kind-config.ts`, its kubeconfig (secret) and a Kubernetes provider for it.
 *
 * On a real run (docs/pulumi.md "Lifecycle"): a changed kind config replaces the cluster delete-first
 * (two clusters of one name cannot exist); the create adopts an existing cluster only when it was
 * created from the same config; the provider is tied to the create's id, so a recreated cluster
 * replaces the provider and everything on it; and objects on the cluster are deleted with it.
 */
import * as command from '@pulumi/command';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import {
  kindCreateScript,
  kindDeleteScript,
  renderKindConfig,
  shq,
  type ClusterConfig,
  type StackConfig,
} from '../stacks';

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

    this.created = new command.local.Command(
      `${name}-create`,
      {
        create: kindCreateScript(this.clusterName, this.kindConfig),
        delete: kindDeleteScript(this.clusterName),
        stdin: this.kindConfig,
        // A changed config replaces the cluster (triggers are the Command's replace-on-change set).
        triggers: [this.kindConfig],
      },
      // The old cluster must go before the new one of the same name is created; create-before-delete
      // would adopt the old cluster and then delete it.
      { parent: this, deleteBeforeReplace: true },
    );
    const kubeconfig = new command.local.Command(
      `${name}-kubeconfig`,
      { create: `kind get kubeconfig --name ${shq(this.clusterName)}`, triggers: [this.created.id] },
      { parent: this, dependsOn: [this.created], additionalSecretOutputs: ['stdout'] },
    );
    this.kubeconfig = pulumi.secret(kubeconfig.stdout);
    this.provider = new k8s.Provider(
      `${name}-provider`,
      {
        kubeconfig: this.kubeconfig,
        // The create's id is new for every created cluster (the Command provider generates it), so a
        // recreated cluster replaces the provider and with it every object on the cluster, while a
        // refreshed kubeconfig (new certificates) alone replaces nothing.
        clusterIdentifier: pulumi.interpolate`${this.context}/${this.created.id}`,
        enableServerSideApply: true,
        // After a Docker reset the cluster is gone: `destroy` and `refresh` drop its objects from the
        // state instead of failing on an unreachable API server.
        deleteUnreachable: true,
      },
      { parent: this },
    );
    this.registerOutputs({
      clusterName: this.clusterName,
      context: this.context,
      kubeconfig: this.kubeconfig,
    });
  }
}
