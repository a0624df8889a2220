/**
 * The stack's secrets (docs/pulumi.md, Stacks): the value set with `pulumi config set --secret` when there is
 * one, else one generated with @pulumi/random. Every output is a Pulumi secret.
 */
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import type { SecretKey } from '../stacks';

export interface StackSecretsArgs {
  /** Values set in the stack config (already Pulumi secrets). */
  provided: Partial<Record<SecretKey, pulumi.Output<string>>>;
}

/** Length and alphabet per secret: the database password goes into a URL, so no specials. */
const SHAPE: Record<SecretKey, { length: number; special: boolean }> = {
  databasePassword: { length: 32, special: false },
  secretKeyBase: { length: 64, special: false },
  meshSecret: { length: 48, special: false },
  realmToken: { length: 40, special: false },
  adminToken: { length: 40, special: false },
};

export class StackSecrets extends pulumi.ComponentResource {
  readonly values: Record<SecretKey, pulumi.Output<string>>;
  /**
   * Key of the public revision digests of secrets (components/postgres.ts): with it a digest says
   * "changed" without telling anything about the value. Generated once, never set by the stack.
   */
  readonly revisionKey: pulumi.Output<string>;

  constructor(name: string, args: StackSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('cortex-iq:secrets:StackSecrets', name, {}, opts);
    const values = {} as Record<SecretKey, pulumi.Output<string>>;
    for (const key of Object.keys(SHAPE) as SecretKey[]) {
      const given = args.provided[key];
      if (given) {
        values[key] = pulumi.secret(given);
        continue;
      }
      const pw = new random.RandomPassword(`${name}-${key}`, SHAPE[key], {
        parent: this,
        additionalSecretOutputs: ['result'],
      });
      values[key] = pulumi.secret(pw.result);
    }
    this.values = values;
    const key = new random.RandomPassword(
      `${name}-revision-key`,
      { length: 48, special: false },
      { parent: this, additionalSecretOutputs: ['result'] },
    );
    this.revisionKey = pulumi.secret(key.result);
    this.registerOutputs({});
  }
}
