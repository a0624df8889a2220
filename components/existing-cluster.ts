/** An existing Kubernetes cluster reached through a kubeconfig context: nothing is created but the provider. */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { ClusterConfig } from '../stacks';

export interface ExistingClusterArgs {
  /** The cluster; its `context` names the kubeconfig context. */
  cluster: ClusterConfig;
}

export class ExistingCluster extends pulumi.ComponentResource {
  /** Cluster name in the stack. */
  readonly clusterName: string;
  /** kubeconfig context used. */
  readonly context: string;
  /** Provider for everything deployed onto this cluster. */
  readonly provider: k8s.Provider;

  constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('cortex-iq:cluster:ExistingCluster', name, {}, opts);
    if (!args.cluster.context)
      throw new Error(`ExistingCluster '${name}': cluster '${args.cluster.name}' has no context`);
    this.clusterName = args.cluster.name;
    this.context = args.cluster.context;
    this.provider = new k8s.Provider(
      `${name}-provider`,
      { context: this.context, clusterIdentifier: this.context, enableServerSideApply: true },
      { parent: this },
    );
    this.registerOutputs({ clusterName: this.clusterName, context: this.context });
  }
}
