/** TLS identities are SHA-256 fingerprints of the DER certificate: lower-case hex, no colons. */
import { createHash, X509Certificate } from 'node:crypto';

export function fingerprintDer(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

/** Fingerprint of the first certificate of a PEM chain (the leaf). */
export function fingerprintPem(certPem: string, what = 'certPem'): string {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (err) {
    throw new Error(`${what}: expected a PEM certificate (${(err as Error).message})`);
  }
  return fingerprintDer(cert.raw);
}

/** Accepts pins written as `AB:CD:…` (openssl's style) as well as plain hex. */
export function normaliseFingerprint(pin: string): string {
  return pin.replace(/:/g, '').toLowerCase();
}
