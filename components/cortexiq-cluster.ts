/**
 * Everything one cluster runs, by role (infra.md §3 CortexIqCluster): the namespace, the Secrets the
 * workloads reference, and in direct delivery the workloads in the seeds' order:
 * PostgreSQL → gateway → apps on the hub, gateway → apps on edges (explicit dependsOn).
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { SECRETS, type ClusterNode, type ImageName, type SecretKey, type StackConfig } from '../stacks';
import { AppService } from './app-service';
import { Gateway } from './gateway';
import { createSecret } from './k8s-object';
import { Postgres } from './postgres';

export interface CortexIqClusterArgs {
  /** The typed stack. */
  config: StackConfig;
  /** This cluster in the derived topology. */
  node: ClusterNode;
  /** Provider of the cluster. */
  provider: k8s.Provider;
  /** The stack's secrets (Pulumi secrets). */
  secrets: Record<SecretKey, pulumi.Input<string>>;
  /** This gateway's TLS material and the mesh CA. */
  tls: { cert: pulumi.Input<string>; key: pulumi.Input<string>; ca: pulumi.Input<string> };
  /** Image references by digest, when the stack builds images. */
  images?: Partial<Record<ImageName, pulumi.Input<string>>>;
  /** What must exist before any workload (registry wiring, Flux). */
  after?: pulumi.Resource[];
}

export class CortexIqCluster extends pulumi.ComponentResource {
  /** Names of the Deployments and StatefulSets Pulumi applies here (empty under GitOps). */
  readonly workloads: string[] = [];

  constructor(name: string, args: CortexIqClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('cortex-iq:cluster:CortexIqCluster', name, {}, opts);
    const { config: c, node, provider } = args;
    const direct = c.delivery === 'direct';
    const ref = { parent: this, provider };
    const ns = new k8s.core.v1.Namespace(
      `${name}-ns`,
      {
        metadata: {
          name: c.namespace,
          labels: { 'cortexiq.io/cluster': node.name, 'cortexiq.io/role': node.role },
        },
      },
      { ...ref, dependsOn: args.after },
    );
    const namespace = ns.metadata.name;
    const shared = [
      createSecret(
        `${name}-realm`,
        SECRETS.realmToken.secret,
        namespace,
        { [SECRETS.realmToken.key]: args.secrets.realmToken },
        ref,
      ),
      createSecret(
        `${name}-mesh`,
        SECRETS.meshSecret.secret,
        namespace,
        { [SECRETS.meshSecret.key]: args.secrets.meshSecret },
        ref,
      ),
    ];
    if (node.apps.some((a) => a.app === 'dashboard')) {
      shared.push(
        createSecret(
          `${name}-dashboard`,
          SECRETS.secretKeyBase.secret,
          namespace,
          { [SECRETS.secretKeyBase.key]: args.secrets.secretKeyBase },
          ref,
        ),
      );
    }

    let postgres: Postgres | undefined;
    if (node.postgres) {
      postgres = new Postgres(
        `${name}-postgres`,
        { config: c, namespace, provider, password: args.secrets.databasePassword, workloads: direct },
        { parent: this },
      );
      if (direct) this.workloads.push('postgres');
    }
    const gateway = new Gateway(
      `${name}-gateway`,
      {
        config: c,
        gateway: node.gateway,
        namespace,
        provider,
        image: args.images?.gateway,
        tls: args.tls,
        workloads: direct,
      },
      { parent: this, dependsOn: [...shared, ...(postgres ? [postgres.ready] : [])] },
    );
    if (!direct) {
      this.registerOutputs({ workloads: this.workloads });
      return;
    }
    this.workloads.push('macula-gateway');
    for (const app of node.apps) {
      const deps = [gateway.ready, ...shared, ...(app.needsDatabase && postgres ? [postgres.ready] : [])];
      new AppService(
        `${name}-${app.app}`,
        { config: c, app, namespace, provider, image: args.images?.[app.app] },
        { parent: this, dependsOn: deps },
      );
      this.workloads.push(app.app);
    }
    this.registerOutputs({ workloads: this.workloads });
  }
}
