/**
 * How the local run fills the variables the stack model marks secret (stacks/env.ts `env.secret`).
 * In Kubernetes these come from Secrets made by @pulumi/random and @pulumi/tls; on one machine the
 * launcher decides them itself. Everything listens on loopback only, which is what makes the
 * development shortcuts below acceptable (and only there).
 */
import { randomBytes } from 'node:crypto';
import type { EnvSpec } from '../stacks';

export interface LocalSecrets {
  /** MESH_SECRET the four gateways prove to each other; fresh for every run. */
  meshSecret: string;
  /** MACULA_TOKEN; unset = the realm accepts any local client. */
  realmToken?: string;
}

export function generateLocalSecrets(realmToken?: string): LocalSecrets {
  return { meshSecret: randomBytes(24).toString('base64url'), ...(realmToken ? { realmToken } : {}) };
}

/** Secret variables the local run cannot provide yet; an app that needs one is left out of the run. */
export const UNAVAILABLE_SECRETS: Readonly<Record<string, string>> = {
  DATABASE_URL: 'needs PostgreSQL, and the embedded PostgreSQL is not part of the local run yet',
  SECRET_KEY_BASE: 'the dashboard is not part of the local run yet',
};

export type SecretFill = { env: Record<string, string> } | { missing: string[] };

/**
 * The values of `spec.secret` for a local process. MACULA_TLS_* and MACULA_QUIC_* stay unset:
 * gateways then make a development identity and every side runs with MACULA_TLS_INSECURE=1 (set
 * by the plan).
 */
export function fillSecrets(spec: EnvSpec, secrets: LocalSecrets): SecretFill {
  const env: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of Object.keys(spec.secret)) {
    if (name === 'MESH_SECRET') env[name] = secrets.meshSecret;
    else if (name === 'MACULA_TOKEN') {
      if (secrets.realmToken) env[name] = secrets.realmToken;
    } else if (name.startsWith('MACULA_TLS_') || name.startsWith('MACULA_QUIC_')) continue;
    else if (name in UNAVAILABLE_SECRETS) missing.push(name);
    else
      throw new Error(
        `local launcher: no local value for secret variable ${name} (stacks/env.ts added one?)`,
      );
  }
  return missing.length > 0 ? { missing } : { env };
}
