/**
 * The gateways' development TLS identities for a local run, made once and kept in the run's
 * folder (`<data-dir>/identities/<cluster>.crt|.key`) for the runs after it. A gateway without
 * MACULA_TLS_CERT makes its own at start: an RSA key and a certificate signed in a child Node
 * process (gateway/transport/identity.ts), about half a second of CPU each, four times at the
 * moment the machine is busiest. Local runs trust each other with MACULA_TLS_INSECURE=1, so a kept
 * identity is as good as a fresh one; one that no longer loads or expires within a day is remade.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { selfSignedCertificates } from '../gateway/transport/identity';

export interface IdentityFiles {
  cert: string;
  key: string;
}

const DAY_MS = 86_400_000;

/** True when the pair at `files` loads, belongs together and is valid for at least a day more. */
function usable(files: IdentityFiles): boolean {
  try {
    const cert = new X509Certificate(fs.readFileSync(files.cert));
    const key = createPrivateKey(fs.readFileSync(files.key));
    return cert.checkPrivateKey(key) && Date.parse(cert.validTo) > Date.now() + DAY_MS;
  } catch {
    return false; // missing or damaged: made again
  }
}

/** Where each cluster's gateway identity is kept under `dir` (known before any is made). */
export function identityFiles(dir: string, clusters: readonly string[]): Map<string, IdentityFiles> {
  return new Map(
    clusters.map((c) => [c, { cert: path.join(dir, `${c}.crt`), key: path.join(dir, `${c}.key`) }]),
  );
}

/** Makes the identities in `files` that are missing or unusable; returns how many it made. */
export async function ensureDevIdentities(files: ReadonlyMap<string, IdentityFiles>): Promise<number> {
  const missing = [...files].filter(([, f]) => !usable(f));
  if (missing.length === 0) return 0;
  const made = await selfSignedCertificates(
    missing.map(([cluster]) => ({ commonName: `cortexiq-dev-${cluster}` })),
  );
  missing.forEach(([, f], i) => {
    // Only the last folder private: parents made here must stay enterable (the embedded
    // PostgreSQL runs as another user under the same run folder).
    fs.mkdirSync(path.dirname(path.dirname(f.key)), { recursive: true });
    fs.mkdirSync(path.dirname(f.key), { recursive: true, mode: 0o700 });
    fs.writeFileSync(f.key, made[i]!.keyPem, { mode: 0o600 });
    fs.chmodSync(f.key, 0o600); // a damaged key file kept its old mode through the write
    fs.writeFileSync(f.cert, made[i]!.certPem);
  });
  return missing.length;
}
