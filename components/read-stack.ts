/**
 * Reads the `cortex-iq:` namespace from the Pulumi engine's config and validates it with the typed
 * model. An invalid stack fails the preview with every problem and its key path.
 */
import * as pulumi from '@pulumi/pulumi';
import {
  NAMESPACE,
  parseStackConfig,
  rawFromConfigMap,
  StackConfigError,
  type SecretKey,
  type StackConfig,
} from '../stacks';

export interface ReadStack {
  config: StackConfig;
  /** Secrets the stack sets, as Pulumi secrets. */
  secrets: Partial<Record<SecretKey, pulumi.Output<string>>>;
}

/**
 * The config keys the engine marked secret. The language host passes them beside the decrypted values
 * (PULUMI_CONFIG_SECRET_KEYS); the SDK reads that list with `runtime.isConfigSecret`, which its typings
 * keep internal, so it is reached through a narrow cast and its absence is an error, not a silent pass.
 */
export function runtimeSecretKeys(keys: string[]): string[] {
  const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean })
    .isConfigSecret;
  if (typeof isConfigSecret !== 'function')
    throw new Error(
      'this @pulumi/pulumi has no runtime.isConfigSecret: the guard against secrets in plain keys cannot run',
    );
  return keys.filter((k) => isConfigSecret(k));
}

export function readStack(): ReadStack {
  const stack = `Pulumi.${pulumi.getStack()}.yaml`;
  try {
    const all = pulumi.runtime.allConfig();
    const { raw, secretsSet } = rawFromConfigMap(all, runtimeSecretKeys(Object.keys(all)));
    const config = parseStackConfig(raw, stack);
    const cfg = new pulumi.Config(NAMESPACE);
    const secrets: ReadStack['secrets'] = {};
    for (const key of secretsSet) secrets[key] = cfg.requireSecret(key);
    return { config, secrets };
  } catch (err) {
    // RunError prints the message alone, without a JavaScript stack trace.
    if (err instanceof StackConfigError) throw new pulumi.RunError(err.message);
    throw err;
  }
}
