/**
 * libp2p's TLS identity (the libp2p TLS handshake spec), for the ngtcp2 QUIC stack: the same
 * certificates quinn's libp2p binding presents and accepts, so both stacks report the same peer
 * ids and speak to each other.
 *
 * A certificate is self-signed by a fresh ECDSA P-256 key and carries the extension
 * 1.3.6.1.4.1.53594.1.1 = SignedKey { publicKey: the host's Ed25519 key (libp2p protobuf),
 * signature: that key's signature of "libp2p-tls-handshake:" || the certificate's SPKI }. The TLS
 * handshake proves the peer holds the certificate key; the extension proves the host key vouched
 * for it. The DER is built and read with node-forge's ASN.1 helpers, signed with node:crypto.
 */
import {
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
  X509Certificate,
} from 'node:crypto';
import forge from 'node-forge';
import { ed25519PrivateKey, ed25519PublicKey, peerIdFromPublicKeyProto, publicKeyProto } from './libp2p-key';

const { asn1 } = forge;
const LIBP2P_EXTENSION_OID = '1.3.6.1.4.1.53594.1.1';
const ECDSA_WITH_SHA256_OID = '1.2.840.10045.4.3.2';
const SIGNATURE_PREFIX = Buffer.from('libp2p-tls-handshake:');
/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32-byte key follows. */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const CERT_VALID_DAYS = 365;
const DAY_MS = 86_400_000;

type Node = forge.asn1.Asn1;

const seq = (items: Node[]): Node => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
const octets = (b: Buffer): Node =>
  asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, b.toString('binary'));
const oid = (id: string): Node =>
  asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(id).getBytes());
const der = (node: Node): Buffer => Buffer.from(asn1.toDer(node).getBytes(), 'binary');

function name(commonName: string): Node {
  const cn = seq([oid('2.5.4.3'), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTF8, false, commonName)]);
  return seq([asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, [cn])]);
}

function time(date: Date): Node {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date));
}

/** A libp2p TLS certificate and its key (PEM), vouched for by the Ed25519 key of `seed`. */
export function libp2pCertificate(seed: Uint8Array, now = new Date()): { certPem: string; keyPem: string } {
  return buildCertificate(seed, now);
}

/**
 * libp2pCertificate, with the host key's signature made over `vouchedSpki` instead of the
 * certificate's own key when given: only tests pass it, to make a certificate that must be refused.
 */
export function buildCertificate(
  seed: Uint8Array,
  now: Date,
  vouchedSpki?: Buffer,
): { certPem: string; keyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const vouch = sign(null, Buffer.concat([SIGNATURE_PREFIX, vouchedSpki ?? spki]), ed25519PrivateKey(seed));
  const signedKey = seq([octets(publicKeyProto(ed25519PublicKey(seed))), octets(vouch)]);
  const extension = seq([
    oid(LIBP2P_EXTENSION_OID),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BOOLEAN, false, String.fromCharCode(0xff)),
    octets(der(signedKey)),
  ]);
  const serial = randomBytes(16);
  serial[0] &= 0x7f; // a positive INTEGER
  const algorithm = seq([oid(ECDSA_WITH_SHA256_OID)]);
  const tbs = seq([
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, String.fromCharCode(2)),
    ]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, serial.toString('binary')),
    algorithm,
    name('libp2p'),
    seq([time(new Date(now.getTime() - DAY_MS)), time(new Date(now.getTime() + CERT_VALID_DAYS * DAY_MS))]),
    name('libp2p'),
    asn1.fromDer(spki.toString('binary')),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 3, true, [seq([extension])]),
  ]);
  const tbsDer = der(tbs);
  const signature = sign('sha256', tbsDer, privateKey);
  const bitString = asn1.create(
    asn1.Class.UNIVERSAL,
    asn1.Type.BITSTRING,
    false,
    String.fromCharCode(0) + signature.toString('binary'),
  );
  const cert = der(seq([tbs, algorithm, bitString]));
  const b64 = cert.toString('base64').replace(/.{1,64}/g, (line) => `${line}\n`);
  return {
    certPem: `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----\n`,
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}

/**
 * The peer id a libp2p TLS certificate (DER) proves, or an Error saying why it proves none: the
 * certificate must be current, self-signed, and carry an Ed25519 host key's signature of its key.
 */
export function peerIdFromCertificate(certDer: Buffer, now = new Date()): string {
  const x509 = new X509Certificate(certDer);
  if (now < new Date(x509.validFrom) || now > new Date(x509.validTo))
    throw new Error('peer certificate is not valid now');
  if (!x509.verify(x509.publicKey)) throw new Error('peer certificate is not self-signed');
  const cert = asn1.fromDer(certDer.toString('binary'));
  const tbs = (cert.value as Node[])[0].value as Node[];
  // TBSCertificate: [0] version (optional), serial, signature, issuer, validity, subject, SPKI, ...
  const spkiNode = tbs[tbs[0].tagClass === asn1.Class.CONTEXT_SPECIFIC ? 6 : 5];
  const extensions = tbs.find((n) => n.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === 3);
  if (!spkiNode || !extensions) throw new Error('peer certificate has no libp2p extension');
  const ext = ((extensions.value as Node[])[0].value as Node[]).find(
    (e) =>
      asn1.derToOid(forge.util.createBuffer((e.value as Node[])[0].value as string)) === LIBP2P_EXTENSION_OID,
  );
  if (!ext) throw new Error('peer certificate has no libp2p extension');
  const parts = ext.value as Node[];
  const signedKey = asn1.fromDer(parts[parts.length - 1].value as string).value as Node[];
  const keyProto = Buffer.from(signedKey[0].value as string, 'binary');
  const vouch = Buffer.from(signedKey[1].value as string, 'binary');
  // PublicKey { Type = 1 (Ed25519); Data = 32 bytes }: the only key type our peers use.
  if (
    keyProto.length !== 36 ||
    keyProto[0] !== 0x08 ||
    keyProto[1] !== 0x01 ||
    keyProto[2] !== 0x12 ||
    keyProto[3] !== 32
  )
    throw new Error('peer certificate: host key is not Ed25519');
  const hostKey = createPublicKey({
    key: Buffer.concat([SPKI_ED25519_PREFIX, keyProto.subarray(4)]),
    format: 'der',
    type: 'spki',
  });
  const spki = der(spkiNode);
  if (!verify(null, Buffer.concat([SIGNATURE_PREFIX, spki]), hostKey, vouch))
    throw new Error('peer certificate: host key signature does not match');
  return peerIdFromPublicKeyProto(keyProto);
}
