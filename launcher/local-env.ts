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
  /** SECRET_KEY_BASE of the dashboard (signs its CSRF tokens); fresh for every run. */
  secretKeyBase?: string;
  /**
   * ADMIN_TOKEN of every gateway; without one an admin API answers loopback callers only, so a run
   * in network namespaces (where the launcher and the dashboard call across namespaces) needs it.
   */
  adminToken?: string;
  /** DATABASE_URL of the read side: the user's, or the embedded server's (the plan sets it). */
  databaseUrl?: string;
}

export function generateLocalSecrets(
  o: { realmToken?: string; adminToken?: string | true } = {},
): LocalSecrets {
  const adminToken = o.adminToken === true ? randomBytes(24).toString('base64url') : o.adminToken;
  return {
    meshSecret: randomBytes(24).toString('base64url'),
    secretKeyBase: randomBytes(48).toString('base64url'),
    ...(o.realmToken ? { realmToken: o.realmToken } : {}),
    ...(adminToken ? { adminToken } : {}),
  };
}

/** Why an app that needs a secret the run lacks is left out of it. */
export const UNAVAILABLE_SECRETS: Readonly<Record<string, string>> = {
  DATABASE_URL: 'needs PostgreSQL: no DATABASE_URL and no embedded server in this run',
  SECRET_KEY_BASE: 'needs SECRET_KEY_BASE',
};

export type SecretFill = { env: Record<string, string> } | { missing: string[] };

/**
 * The values of `spec.secret` for a local process. MACULA_TLS_* and MACULA_QUIC_* are not taken
 * from here: the plan points gateways at the run's kept development identity (dev-identities.ts),
 * or leaves them to make one, and every side runs with MACULA_TLS_INSECURE=1.
 */
export function fillSecrets(spec: EnvSpec, secrets: LocalSecrets): SecretFill {
  const env: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of Object.keys(spec.secret)) {
    if (name === 'MESH_SECRET') env[name] = secrets.meshSecret;
    else if (name === 'MACULA_TOKEN') {
      if (secrets.realmToken) env[name] = secrets.realmToken;
    } else if (name.startsWith('MACULA_TLS_') || name.startsWith('MACULA_QUIC_')) continue;
    else if (name === 'DATABASE_URL' && secrets.databaseUrl) env[name] = secrets.databaseUrl;
    else if (name === 'SECRET_KEY_BASE' && secrets.secretKeyBase) env[name] = secrets.secretKeyBase;
    else if (name === 'ADMIN_TOKEN' || name === 'GATEWAY_ADMIN_TOKEN') {
      // Unset, the admin APIs answer loopback callers only (see LocalSecrets.adminToken).
      if (secrets.adminToken) env[name] = secrets.adminToken;
    } else if (name in UNAVAILABLE_SECRETS) missing.push(name);
    else
      throw new Error(
        `local launcher: no local value for secret variable ${name} (stacks/env.ts added one?)`,
      );
  }
  return missing.length > 0 ? { missing } : { env };
}
