/**
 * Node identities for both transports: the Ed25519 seed that QUIC (libp2p) uses and the TLS
 * certificate + key that TLS/TCP uses.
 *
 * `devIdentity()` makes a throw-away identity at start when no TLS settings are given. Node cannot
 * create X.509 certificates, so the certificate is assembled and signed with node-forge (zero
 * dependencies, CommonJS); the RSA key itself comes from node:crypto, which is much faster than
 * forge's pure-JS key generation. A development certificate is trusted by pinning its fingerprint
 * or with `insecure: true`, never through a CA.
 */
import { createPrivateKey, generateKeyPair, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import { spawn } from 'node:child_process';
import { fingerprintPem } from './fingerprint';
import { peerIdFromSeed } from './libp2p-key';
import type { TransportSecurity } from './transport';

export { fingerprintPem, normaliseFingerprint } from './fingerprint';
export { peerIdFromSeed } from './libp2p-key';

export interface NodeIdentity {
  /** QUIC: 32-byte Ed25519 seed. */
  quicSeed: Uint8Array;
  /** QUIC: the libp2p peer id derived from `quicSeed` (what peers pin). */
  quicPeerId: string;
  /** TLS: PEM certificate and its PKCS#8 PEM key. */
  certPem: string;
  keyPem: string;
  /** TLS: SHA-256 fingerprint of `certPem` (what peers pin). */
  tlsFingerprint: string;
}

export interface DevIdentityOptions {
  /** Subject common name; defaults to `cortexiq-dev-<random>`. */
  commonName?: string;
  /** DNS names and IP literals put in subjectAltName. */
  altNames?: readonly string[];
  /** Certificate lifetime in days (default 365). */
  validDays?: number;
  /** A fixed QUIC key (MACULA_QUIC_KEY), so the QUIC peer id is known ahead; fresh when absent. */
  quicSeed?: Uint8Array;
}

const generateKeyPairAsync = promisify(generateKeyPair);
const IP_LITERAL = /^[0-9.]+$|:/;

/** A 32-byte Ed25519 seed: any 32 random bytes are a valid seed (RFC 8032 §5.1.5). */
export function newQuicSeed(): Uint8Array {
  return randomBytes(32);
}

export async function selfSignedCertificate(
  options: DevIdentityOptions = {},
): Promise<{ certPem: string; keyPem: string }> {
  return (await selfSignedCertificates([options]))[0]!;
}

/**
 * Several development certificates at once: the keys in parallel, and every certificate signed in
 * one child process, so node-forge is loaded once (the local run makes one per gateway).
 */
export async function selfSignedCertificates(
  list: readonly DevIdentityOptions[],
): Promise<Array<{ certPem: string; keyPem: string }>> {
  const requests = await Promise.all(list.map(certRequest));
  const certs = await signInChild(requests);
  return requests.map((r, i) => ({ certPem: certs[i]!, keyPem: r.privateKey }));
}

async function certRequest(options: DevIdentityOptions): Promise<CertRequest> {
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    publicKey,
    privateKey,
    // Positive serial: a leading 0x01 byte keeps the DER INTEGER from reading as negative.
    serial: `01${randomBytes(15).toString('hex')}`,
    notBefore: Date.now() - 60_000,
    notAfter: Date.now() + (options.validDays ?? 365) * 86_400_000,
    commonName: options.commonName ?? `cortexiq-dev-${randomUUID().slice(0, 8)}`,
    altNames: (options.altNames ?? ['localhost', '127.0.0.1', '::1']).map((name) =>
      IP_LITERAL.test(name) ? { type: 7, ip: name } : { type: 2, value: name },
    ),
  };
}

interface CertRequest {
  publicKey: string;
  privateKey: string;
  serial: string;
  notBefore: number;
  notAfter: number;
  commonName: string;
  altNames: Array<{ type: number; ip?: string; value?: string }>;
}

/**
 * node-forge is needed once, to sign the development certificate, and weighs about 10 MB once
 * loaded; signing in a short-lived child process keeps it out of the gateway's resident memory (a
 * worker thread left about 9 MB behind). The request goes in on stdin, the PEM comes out on stdout.
 */
const SIGN_SCRIPT = `
let input = '';
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  const { forgePath, requests } = JSON.parse(input);
  const forge = require(forgePath);
  const pems = requests.map((r) => {
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(r.publicKey);
    cert.serialNumber = r.serial;
    cert.validity.notBefore = new Date(r.notBefore);
    cert.validity.notAfter = new Date(r.notAfter);
    const subject = [{ name: 'commonName', value: r.commonName }];
    cert.setSubject(subject);
    cert.setIssuer(subject);
    cert.setExtensions([
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
      { name: 'subjectAltName', altNames: r.altNames },
    ]);
    cert.sign(forge.pki.privateKeyFromPem(r.privateKey), forge.md.sha256.create());
    return forge.pki.certificateToPem(cert);
  });
  process.stdout.write(JSON.stringify(pems));
});
`;

function signInChild(requests: CertRequest[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', SIGN_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.once('error', reject);
    child.once('close', (code) => {
      let pems: unknown;
      try {
        pems = code === 0 ? JSON.parse(out) : undefined;
      } catch {
        pems = undefined;
      }
      if (
        Array.isArray(pems) &&
        pems.length === requests.length &&
        pems.every((p) => typeof p === 'string' && p.includes('BEGIN CERTIFICATE'))
      )
        resolve(pems as string[]);
      else
        reject(
          new Error(`development certificate signer exited with code ${code}: ${err.trim().slice(0, 300)}`),
        );
    });
    child.stdin.end(JSON.stringify({ requests, forgePath: require.resolve('node-forge') }));
  });
}

/** A fresh development identity for both transports. */
export async function devIdentity(options: DevIdentityOptions = {}): Promise<NodeIdentity> {
  const quicSeed = options.quicSeed ?? newQuicSeed();
  const { certPem, keyPem } = await selfSignedCertificate(options);
  return {
    quicSeed,
    quicPeerId: peerIdFromSeed(quicSeed),
    certPem,
    keyPem,
    tlsFingerprint: fingerprintPem(certPem),
  };
}

export interface PemIdentityInput {
  certPem: string;
  keyPem: string;
  /** 64 hex characters; a fresh seed is made when absent. */
  quicSeedHex?: string;
}

/** Loads an identity from configuration, checking that the key belongs to the certificate. */
export function identityFromPem(input: PemIdentityInput): NodeIdentity {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(input.certPem);
  } catch (err) {
    throw new Error(`certPem: expected a PEM certificate (${(err as Error).message})`);
  }
  let key;
  try {
    key = createPrivateKey(input.keyPem);
  } catch (err) {
    throw new Error(`keyPem: expected a PEM private key (${(err as Error).message})`);
  }
  if (!cert.checkPrivateKey(key)) throw new Error('keyPem: the private key does not match certPem');
  let quicSeed: Uint8Array;
  if (input.quicSeedHex === undefined) quicSeed = newQuicSeed();
  else if (/^[0-9a-fA-F]{64}$/.test(input.quicSeedHex)) quicSeed = Buffer.from(input.quicSeedHex, 'hex');
  else throw new Error('quicSeedHex: expected 64 hex characters (a 32-byte Ed25519 seed)');
  return {
    quicSeed,
    quicPeerId: peerIdFromSeed(quicSeed),
    certPem: input.certPem,
    keyPem: input.keyPem,
    tlsFingerprint: fingerprintPem(input.certPem),
  };
}

/** The `security` a listener presents with this identity (both transports read what they need). */
export function listenerSecurity(
  id: NodeIdentity,
  extra: Partial<TransportSecurity> = {},
): TransportSecurity {
  return { certPem: id.certPem, keyPem: id.keyPem, quicSeed: id.quicSeed, ...extra };
}
