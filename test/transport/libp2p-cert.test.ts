/** libp2p TLS certificates (ngtcp2 stack): what proves a peer id and what must not. */
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { newQuicSeed, peerIdFromSeed, selfSignedCertificate } from '../../gateway/transport/identity';
import {
  buildCertificate,
  libp2pCertificate,
  peerIdFromCertificate,
} from '../../gateway/transport/libp2p-cert';

const derOf = (pem: string): Buffer => new X509Certificate(pem).raw;

describe('libp2p TLS certificate', () => {
  const seed = newQuicSeed();
  const { certPem, keyPem } = libp2pCertificate(seed);

  it('proves the peer id of the Ed25519 key that made it', () => {
    expect(peerIdFromCertificate(derOf(certPem))).toBe(peerIdFromSeed(seed));
    expect(keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(new X509Certificate(certPem).publicKey.asymmetricKeyType).toBe('ec');
  });

  it('refuses a certificate outside its validity', () => {
    const later = new Date(Date.now() + 400 * 86_400_000);
    expect(() => peerIdFromCertificate(derOf(certPem), later)).toThrow('not valid now');
    const earlier = new Date(Date.now() - 3 * 86_400_000);
    expect(() => peerIdFromCertificate(derOf(certPem), earlier)).toThrow('not valid now');
  });

  it('refuses a certificate whose signed bytes were changed', () => {
    const der = Buffer.from(derOf(certPem));
    // A byte of the subject name ("libp2p"): still well-formed DER, no longer what was signed.
    der[der.lastIndexOf(Buffer.from('libp2p')) + 1] ^= 0x01;
    expect(() => peerIdFromCertificate(der)).toThrow('not self-signed');
  });

  it("refuses a host key signature made over another certificate's key", () => {
    const elsewhere = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({
      type: 'spki',
      format: 'der',
    });
    const forged = buildCertificate(seed, new Date(), elsewhere);
    expect(() => peerIdFromCertificate(derOf(forged.certPem))).toThrow('host key signature does not match');
  });

  it('refuses an ordinary certificate without the libp2p extension', async () => {
    const plain = await selfSignedCertificate({ commonName: 'plain' });
    expect(() => peerIdFromCertificate(derOf(plain.certPem))).toThrow('no libp2p extension');
  });
});
