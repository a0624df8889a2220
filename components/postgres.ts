/**
 * PostgreSQL on the hub (docs/pulumi.md, Components: Postgres): its Secret (password and the apps'
 * DATABASE_URL) and, in direct delivery, the StatefulSet with a volume and readiness probe and its Service.
 */
import { createHmac } from 'node:crypto';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import {
  DATABASE_PASSWORD_ANNOTATION,
  databaseUrl,
  postgresService,
  postgresStatefulSet,
  SECRETS,
  type StackConfig,
} from '../stacks';
import { createObject, createSecret } from './k8s-object';

export { DATABASE_PASSWORD_ANNOTATION };

/**
 * A revision of the database password for the pod templates: a rotated secret changes it, so the
 * StatefulSet restarts (its postStart hook sets the new password, stacks/manifests/postgres.ts) and
 * the apps restart with the new DATABASE_URL. Direct delivery sets it on the pod templates; under
 * GitOps Flux substitutes it into the rendered tree (components/flux.ts). An HMAC under the stack's secret revision key, so it
 * can be public (a secret inside a pod template would make the whole spec secret, and every diff
 * unreadable) without letting anyone test guesses of the password against it.
 */
export function databasePasswordRevision(
  password: pulumi.Input<string>,
  key: pulumi.Input<string>,
): pulumi.Output<string> {
  return pulumi.unsecret(
    pulumi
      .all([password, key])
      .apply(([p, k]) => createHmac('sha256', k).update(`cortexiq-db-password:${p}`).digest('hex')),
  );
}

export interface PostgresArgs {
  /** The typed stack (image, port). */
  config: StackConfig;
  /** Namespace of the workloads. */
  namespace: pulumi.Input<string>;
  /** Provider of the hub cluster. */
  provider: k8s.Provider;
  /** Database password (secret). */
  password: pulumi.Input<string>;
  /** Revision of the password (databasePasswordRevision): rolls the StatefulSet when it changes. */
  passwordRevision: pulumi.Input<string>;
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
        { namespace, podAnnotations: { [DATABASE_PASSWORD_ANNOTATION]: args.passwordRevision } },
        { ...ref, dependsOn: [secret, svc] },
      );
    }
    this.registerOutputs({});
  }
}
