/**
 * Everything one cluster runs, by role (docs/pulumi.md, Components: CortexIqCluster): the namespace, the
 * Secrets the workloads reference, and in direct delivery the workloads in the seeds' order (stacks/order.ts:
 * PostgreSQL → gateway → apps on the hub, gateway → apps on edges, as dependsOn).
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import {
  GATEWAY_WORKLOAD,
  POSTGRES_WORKLOAD,
  SECRETS,
  workloadOrder,
  type ClusterNode,
  type ImageName,
  type SecretKey,
  type SecretRef,
  type StackConfig,
  type WorkloadName,
  type WorkloadStep,
} from '../stacks';
import { AppService } from './app-service';
import { Gateway, type GatewaySecretMaterial } from './gateway';
import { createSecret } from './k8s-object';
import { DATABASE_PASSWORD_ANNOTATION, databasePasswordRevision, Postgres } from './postgres';

export interface CortexIqClusterArgs {
  /** The typed stack. */
  config: StackConfig;
  /** This cluster in the derived topology. */
  node: ClusterNode;
  /** Provider of the cluster. */
  provider: k8s.Provider;
  /** The stack's secrets (Pulumi secrets). */
  secrets: Record<SecretKey, pulumi.Input<string>>;
  /** Key of the public revision digests of secrets (StackSecrets.revisionKey). */
  revisionKey: pulumi.Input<string>;
  /** This gateway's TLS material and the mesh CA. */
  tls: GatewaySecretMaterial;
  /** Image references by digest, when the stack builds images. */
  images?: Partial<Record<ImageName, pulumi.Input<string>>>;
  /** What must exist before any workload: this cluster's registry wiring (kind), never Flux. */
  after?: pulumi.Resource[];
}

export class CortexIqCluster extends pulumi.ComponentResource {
  /** Names of the Deployments and StatefulSets Pulumi applies here (empty under GitOps). */
  readonly workloads: string[] = [];
  /** The namespace and every Secret the workloads reference: what Flux waits for under GitOps. */
  readonly prerequisites: pulumi.Resource[] = [];
  /** Public revision of the database password: what rolls the workloads that read it. */
  readonly passwordRevision: pulumi.Output<string>;

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
    // Single-key Secrets shared by the workloads (resource names `<cluster>-<suffix>`).
    const single = (suffix: string, s: SecretRef, value: pulumi.Input<string>): k8s.core.v1.Secret =>
      createSecret(`${name}-${suffix}`, s.secret, namespace, { [s.key]: value }, ref);
    const shared = [
      single('realm', SECRETS.realmToken, args.secrets.realmToken),
      single('mesh', SECRETS.meshSecret, args.secrets.meshSecret),
      // Every gateway's ADMIN_TOKEN; on the hub also the dashboard's GATEWAY_ADMIN_TOKEN.
      single('admin', SECRETS.adminToken, args.secrets.adminToken),
    ];
    if (node.apps.some((a) => a.app === 'dashboard'))
      shared.push(single('dashboard', SECRETS.secretKeyBase, args.secrets.secretKeyBase));

    // The plan (stacks/order.ts) says what waits for what; each step's `after` becomes dependsOn on
    // the ready resource of those workloads. Under GitOps only the Secrets of PostgreSQL and the
    // gateway are created here, in the same order; Flux applies the workloads.
    const ready = new Map<WorkloadName, pulumi.Resource>();
    const passwordRevision = databasePasswordRevision(args.secrets.databasePassword, args.revisionKey);
    this.passwordRevision = passwordRevision;
    const after = (step: WorkloadStep): pulumi.Resource[] => [
      ...shared,
      ...step.after.map((w) => {
        const r = ready.get(w);
        if (!r)
          throw new Error(`${name}: workload ${step.workload} is ordered after ${w}, which comes later`);
        return r;
      }),
    ];
    for (const step of workloadOrder(node)) {
      if (step.workload === POSTGRES_WORKLOAD) {
        const postgres = new Postgres(
          `${name}-postgres`,
          {
            config: c,
            namespace,
            provider,
            password: args.secrets.databasePassword,
            passwordRevision,
            workloads: direct,
          },
          { parent: this, dependsOn: after(step) },
        );
        ready.set(step.workload, postgres.ready);
      } else if (step.workload === GATEWAY_WORKLOAD) {
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
          { parent: this, dependsOn: after(step) },
        );
        ready.set(step.workload, gateway.ready);
      } else {
        if (!direct) continue;
        const app = node.apps.find((a) => a.app === step.workload)!;
        const service = new AppService(
          `${name}-${app.app}`,
          {
            config: c,
            app,
            namespace,
            provider,
            image: args.images?.[app.app],
            ...(app.needsDatabase
              ? { podAnnotations: { [DATABASE_PASSWORD_ANNOTATION]: passwordRevision } }
              : {}),
          },
          { parent: this, dependsOn: after(step) },
        );
        ready.set(step.workload, service.deployment);
      }
      if (direct) this.workloads.push(step.workload);
    }
    this.prerequisites.push(ns, ...shared, ...(direct ? [] : ready.values()));
    this.registerOutputs({ workloads: this.workloads });
  }
}
