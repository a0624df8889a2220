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

export function readStack(): ReadStack {
  const stack = `Pulumi.${pulumi.getStack()}.yaml`;
  try {
    const { raw, secretsSet } = rawFromConfigMap(pulumi.runtime.allConfig());
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
