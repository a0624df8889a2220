/**
 * The few bits of libp2p's key format that the quinn binding needs (docs/protocol.md §8), built with
 * node:crypto so that nothing ESM-only (`@libp2p/crypto`, `@libp2p/peer-id`) is imported.
 *
 * - Private key protobuf: `PrivateKey { Type = 1 (Ed25519); Data = seed(32) || public(32) }`.
 * - Peer id of an Ed25519 key: base58btc of the identity multihash of the public key protobuf
 *   `PublicKey { Type = 1; Data = public(32) }` (always starts `12D3KooW`).
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

const ED25519_SEED_BYTES = 32;
/** DER prefix of a PKCS#8 Ed25519 private key; the 32-byte seed follows. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const PROTOBUF_KEY_TYPE_ED25519 = Buffer.from([0x08, 0x01]);
const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function checkSeed(seed: Uint8Array): void {
  if (seed.byteLength !== ED25519_SEED_BYTES) {
    throw new Error(
      `security.quicSeed: expected a ${ED25519_SEED_BYTES}-byte Ed25519 seed, got ${seed.byteLength} bytes`,
    );
  }
}

export function ed25519PrivateKey(seed: Uint8Array): KeyObject {
  checkSeed(seed);
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

export function ed25519PublicKey(seed: Uint8Array): Buffer {
  const spki = createPublicKey(ed25519PrivateKey(seed)).export({ format: 'der', type: 'spki' });
  return spki.subarray(spki.length - 32);
}

/** `PublicKey { Type = 1 (Ed25519); Data = public(32) }`. */
export function publicKeyProto(publicKey: Buffer): Buffer {
  return Buffer.concat([PROTOBUF_KEY_TYPE_ED25519, Buffer.from([0x12, publicKey.length]), publicKey]);
}

/** `privateKeyProto` for `QuinnConfig`. */
export function ed25519PrivateKeyProtobuf(seed: Uint8Array): Buffer {
  const data = Buffer.concat([seed, ed25519PublicKey(seed)]);
  return Buffer.concat([PROTOBUF_KEY_TYPE_ED25519, Buffer.from([0x12, data.length]), data]);
}

export function peerIdFromSeed(seed: Uint8Array): string {
  return peerIdFromPublicKeyProto(publicKeyProto(ed25519PublicKey(seed)));
}

export function peerIdFromPublicKeyProto(proto: Buffer): string {
  // Identity multihash: code 0x00, then the length (36 fits one varint byte).
  return base58btc(Buffer.concat([Buffer.from([0x00, proto.length]), proto]));
}

export function base58btc(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = '';
  while (n > 0n) {
    out = BASE58_ALPHABET[Number(n % 58n)] + out;
    n /= 58n;
  }
  return '1'.repeat(zeros) + out;
}
