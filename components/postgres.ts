/**
 * PostgreSQL on the hub (infra.md §3 Postgres): its Secret (password and the apps' DATABASE_URL) and,
 * in direct delivery, the StatefulSet with a volume and readiness probe and its Service.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { databaseUrl, postgresService, postgresStatefulSet, SECRETS, type StackConfig } from '../stacks';
import { createObject, createSecret } from './k8s-object';

export interface PostgresArgs {
  /** The typed stack (image, port). */
  config: StackConfig;
  /** Namespace of the workloads. */
  namespace: pulumi.Input<string>;
  /** Provider of the hub cluster. */
  provider: k8s.Provider;
  /** Database password (secret). */
  password: pulumi.Input<string>;
  /** Apply the StatefulSet and Service (direct delivery); with GitOps, Flux applies them. */
  workloads: boolean;
}

export class Postgres extends pulumi.ComponentResource {
  /** What dependants wait for: the ready StatefulSet, or the Secret under GitOps. */
  readonly ready: pulumi.Resource;

  constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super('cortex-iq:db:Postgres', name, {}, opts);
    const { config: c, provider, namespace } = args;
    const ref = { parent: this, provider };
    const password = pulumi.secret(args.password);
    const secret = createSecret(
      `${name}-secret`,
      SECRETS.databasePassword.secret,
      namespace,
      {
        [SECRETS.databasePassword.key]: password,
        [SECRETS.databaseUrl.key]: pulumi
          .output(password)
          .apply((p) => databaseUrl(p, undefined, c.ports.postgres)),
      },
      ref,
    );
    this.ready = secret;
    if (args.workloads) {
      const svc = createObject(`${name}-service`, postgresService(c), { namespace }, ref);
      // Pulumi's await logic waits for the StatefulSet's readiness probe (pg_isready).
      this.ready = createObject(
        `${name}-statefulset`,
        postgresStatefulSet(c),
        { namespace },
        { ...ref, dependsOn: [secret, svc] },
      );
    }
    this.registerOutputs({});
  }
}
