/** Development identities, PEM loading and the libp2p key encoding. */
import { createPrivateKey, createPublicKey, sign, verify, X509Certificate } from 'node:crypto';
import * as fc from 'fast-check';
import {
  fingerprintPem,
  identityFromPem,
  normaliseFingerprint,
  peerIdFromSeed,
  selfSignedCertificate,
} from '../../gateway/transport/identity';
import { base58btc, ed25519PrivateKeyProtobuf, ed25519PublicKey } from '../../gateway/transport/libp2p-key';
import { identities } from './harness';

describe('devIdentity', () => {
  it('makes a self-signed certificate whose key matches, with the asked SANs', async () => {
    const [id] = await identities();
    const cert = new X509Certificate(id.certPem);
    expect(cert.checkPrivateKey(createPrivateKey(id.keyPem))).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.subject).toBe('CN=server');
    expect(cert.subjectAltName).toContain('DNS:localhost');
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(id.tlsFingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(id.tlsFingerprint).toBe(cert.fingerprint256.replace(/:/g, '').toLowerCase());
    expect(id.quicSeed).toHaveLength(32);
    expect(id.quicPeerId).toBe(peerIdFromSeed(id.quicSeed));
  });

  it('honours altNames and validDays', async () => {
    const { certPem } = await selfSignedCertificate({
      commonName: 'gw',
      altNames: ['gateway-a.mesh', '10.0.0.7'],
      validDays: 2,
    });
    const cert = new X509Certificate(certPem);
    expect(cert.subjectAltName).toBe('DNS:gateway-a.mesh, IP Address:10.0.0.7');
    const lifeDays = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    expect(lifeDays).toBeGreaterThan(1.9);
    expect(lifeDays).toBeLessThan(2.1);
  });
});

describe('identityFromPem', () => {
  it('loads a certificate, key and seed', async () => {
    const [id] = await identities();
    const seedHex = Buffer.from(id.quicSeed).toString('hex');
    const loaded = identityFromPem({ certPem: id.certPem, keyPem: id.keyPem, quicSeedHex: seedHex });
    expect(loaded.tlsFingerprint).toBe(id.tlsFingerprint);
    expect(loaded.quicPeerId).toBe(id.quicPeerId);
  });

  it('names the bad input', async () => {
    const [a, b] = await identities();
    expect(() => identityFromPem({ certPem: 'nope', keyPem: a.keyPem })).toThrow(
      /^certPem: expected a PEM certificate/,
    );
    expect(() => identityFromPem({ certPem: a.certPem, keyPem: 'nope' })).toThrow(
      /^keyPem: expected a PEM private key/,
    );
    expect(() => identityFromPem({ certPem: a.certPem, keyPem: b.keyPem })).toThrow(
      'keyPem: the private key does not match certPem',
    );
    expect(() => identityFromPem({ certPem: a.certPem, keyPem: a.keyPem, quicSeedHex: 'abc' })).toThrow(
      /^quicSeedHex: expected 64 hex/,
    );
    expect(() => fingerprintPem('junk')).toThrow(/^certPem: expected a PEM certificate/);
  });

  it('normalises colon-separated fingerprints', () => {
    expect(normaliseFingerprint('AB:CD:0E')).toBe('abcd0e');
  });
});

describe('libp2p key encoding', () => {
  it('lays out the private key protobuf as type Ed25519, then seed || public key', () => {
    const seed = Buffer.alloc(32, 7);
    const proto = ed25519PrivateKeyProtobuf(seed);
    expect([...proto.subarray(0, 4)]).toEqual([0x08, 0x01, 0x12, 64]);
    expect(proto.subarray(4, 36).equals(seed)).toBe(true);
    expect(proto.subarray(36).equals(ed25519PublicKey(seed))).toBe(true);
  });

  it('derives a public key that verifies signatures made with the seed', () => {
    const seed = Buffer.alloc(32, 9);
    const key = createPrivateKey({
      key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
      format: 'der',
      type: 'pkcs8',
    });
    const sig = sign(null, Buffer.from('m'), key);
    const pub = createPublicKey({
      key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), ed25519PublicKey(seed)]),
      format: 'der',
      type: 'spki',
    });
    expect(verify(null, Buffer.from('m'), pub, sig)).toBe(true);
  });

  it('gives Ed25519 peer ids the 12D3KooW form', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
        expect(peerIdFromSeed(seed)).toMatch(/^12D3KooW[1-9A-HJ-NP-Za-km-z]{44}$/);
      }),
      { numRuns: 50 },
    );
  });

  it('encodes base58btc like the reference vectors', () => {
    expect(base58btc(Buffer.from('Hello World!'))).toBe('2NEpo7TZRRrLZSi2U');
    expect(base58btc(Buffer.from([0, 0, 1]))).toBe('112');
    expect(base58btc(new Uint8Array(0))).toBe('');
  });

  it('refuses a seed of the wrong size, naming the setting', () => {
    expect(() => peerIdFromSeed(new Uint8Array(31))).toThrow(
      'security.quicSeed: expected a 32-byte Ed25519 seed, got 31 bytes',
    );
  });
});
