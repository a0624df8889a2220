/**
 * Mutual peer authentication with the mesh secret (docs/protocol.md §3): each side sends a fresh nonce
 * and proves knowledge of the secret by an HMAC over both nonces, both gateway ids and
 * both transport identities (QUIC peer id or TLS certificate fingerprint) as that side sees them.
 * So a proof can be neither replayed to another gateway nor reflected back, and a relay that
 * terminates the transport in the middle (presenting its own identity to each side) makes both
 * proofs fail. Pinned identities, when configured, are checked on the transport identity too.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export function nonce(): string {
  return randomBytes(16).toString('hex');
}

export function proof(
  secret: string | undefined,
  role: 'acceptor' | 'dialer',
  /** Both sides' nonces, dialer's first (peer-handshake.ts). */
  nonces: string,
  prover: string,
  verifier: string,
  proverIdentity: string,
  verifierIdentity: string,
): string {
  if (!secret) return '';
  return createHmac('sha256', secret)
    .update(`${role}|${nonces}|${prover}|${verifier}|${proverIdentity}|${verifierIdentity}`)
    .digest('hex');
}

export function verifyProof(expected: string, given: unknown): boolean {
  if (expected === '') return true; // no secret configured: development mesh
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(expected), Buffer.from(given));
}
