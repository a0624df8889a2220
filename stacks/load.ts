/**
 * Reading a stack without the Pulumi runtime: `loadStackFile` parses `Pulumi.<stack>.yaml` directly
 * (used by `cortexiq render` and the local launcher); `rawFromConfigMap` turns the engine's flat
 * config map (`pulumi.runtime.allConfig()`) into the same raw object for the Pulumi program.
 * Secret keys are split off in both cases: the model never holds a secret value.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { StackConfigError } from './issues';
import { parseStackConfig } from './parse';
import { NAMESPACE, SECRET_KEYS, type SecretKey, type StackConfig } from './schema';

export interface LoadedStack {
  stack: string;
  file: string;
  config: Readonly<StackConfig>;
  /** Secret keys the stack sets (encrypted in the file; the program reads them with getSecret). */
  secretsSet: readonly SecretKey[];
}

const PREFIX = `${NAMESPACE}:`;
const isSecretKey = (k: string): k is SecretKey => (SECRET_KEYS as readonly string[]).includes(k);

/** Tells whether the value at a full key (`cortex-iq:realm`) was set as a secret. */
export type IsSecret = (fullKey: string, value: unknown) => boolean;

/** In a stack file a secret is written encrypted, as `{ secure: … }`. */
const encryptedInFile: IsSecret = (_k, v) => v !== null && typeof v === 'object' && 'secure' in v;

/**
 * Splits `cortex-iq:` keys of a Pulumi config map into the raw model input and the secret keys set.
 * Only SECRET_KEYS may be secret, and they must be: a plain-text password in the stack file would be
 * committed, and a secret elsewhere would reach the model (and the outputs) in plain text.
 */
export function splitNamespace(
  entries: Record<string, unknown>,
  file: string,
  isSecret: IsSecret = encryptedInFile,
): { raw: Record<string, unknown>; secretsSet: SecretKey[] } {
  const raw: Record<string, unknown> = {};
  const secretsSet: SecretKey[] = [];
  const problems: { path: string; message: string }[] = [];
  for (const [full, value] of Object.entries(entries)) {
    if (!full.startsWith(PREFIX)) continue;
    const key = full.slice(PREFIX.length);
    const secret = isSecret(full, value);
    if (isSecretKey(key)) {
      if (secret) secretsSet.push(key);
      else
        problems.push({
          path: full,
          message: `is set in plain text; set it with \`pulumi config set --secret ${full}\``,
        });
      continue;
    }
    if (secret) {
      problems.push({
        path: full,
        message: `is a secret, but only ${SECRET_KEYS.join(', ')} may be secret (set it without --secret)`,
      });
      continue;
    }
    raw[key] = value;
  }
  if (problems.length > 0) throw new StackConfigError(problems, file);
  return { raw, secretsSet };
}

/**
 * The engine's config map (`pulumi.runtime.allConfig()`): values already decrypted, structured values
 * as JSON strings. Which keys were secret comes from the runtime's secret key list (`secretKeys`),
 * since a decrypted value no longer shows it.
 */
export function rawFromConfigMap(
  map: Record<string, string>,
  secretKeys: readonly string[],
): {
  raw: Record<string, unknown>;
  secretsSet: SecretKey[];
} {
  const decoded: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(map)) {
    try {
      decoded[k] = JSON.parse(v);
    } catch {
      decoded[k] = v;
    }
  }
  return splitNamespace(decoded, 'Pulumi config', (k) => secretKeys.includes(k));
}

/** Path of a stack file: `Pulumi.<stack>.yaml` in `dir`. */
export function stackFile(stack: string, dir = process.cwd()): string {
  return path.join(dir, `Pulumi.${stack}.yaml`);
}

/** Reads and validates `Pulumi.<stack>.yaml`. Throws StackConfigError naming the file and every problem. */
export function loadStackFile(stack: string, dir = process.cwd()): LoadedStack {
  const file = stackFile(stack, dir);
  if (!fs.existsSync(file)) {
    throw new StackConfigError(
      [{ path: file, message: `stack file not found (expected Pulumi.${stack}.yaml in ${dir})` }],
      file,
    );
  }
  const doc: unknown = parseYaml(fs.readFileSync(file, 'utf8'));
  const entries =
    doc && typeof doc === 'object' && 'config' in doc ? (doc as { config: unknown }).config : undefined;
  if (!entries || typeof entries !== 'object') {
    throw new StackConfigError(
      [{ path: `${file}: config`, message: 'missing required key (the stack settings)' }],
      file,
    );
  }
  const { raw, secretsSet } = splitNamespace(entries as Record<string, unknown>, file);
  return { stack, file, config: parseStackConfig(raw, file), secretsSet };
}
