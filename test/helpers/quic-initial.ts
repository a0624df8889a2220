/**
 * Well-formed QUIC v1 client Initial packets with fresh destination connection ids, for flood and
 * exhaustion tests and `bench:flood`. A real client's first datagram is captured once on loopback,
 * its Initial decrypted with the keys its DCID implies (RFC 9001 §5.2), and re-encrypted under any
 * new DCID of the same length: the server sees a valid ClientHello from a new connection each
 * time, which a client that never answers leaves half-open.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import * as dgram from 'node:dgram';
import type { Transport } from '../../gateway/transport/transport';

const INITIAL_SALT_V1 = Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex');

function expandLabel(secret: Buffer, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`);
  const info = Buffer.concat([
    Buffer.from([length >> 8, length & 0xff, full.length]),
    full,
    Buffer.from([0]),
  ]);
  // HKDF-Expand for at most one SHA-256 block: T(1) = HMAC(PRK, info | 0x01).
  return createHmac('sha256', secret)
    .update(Buffer.concat([info, Buffer.from([1])]))
    .digest()
    .subarray(0, length);
}

function clientKeys(dcid: Buffer): { key: Buffer; iv: Buffer; hp: Buffer } {
  const initial = createHmac('sha256', INITIAL_SALT_V1).update(dcid).digest();
  const client = expandLabel(initial, 'client in', 32);
  return {
    key: expandLabel(client, 'quic key', 16),
    iv: expandLabel(client, 'quic iv', 12),
    hp: expandLabel(client, 'quic hp', 16),
  };
}

function readVarint(buf: Buffer, at: number): { value: number; next: number } {
  const len = 1 << (buf[at] >> 6);
  let value = buf[at] & 0x3f;
  for (let i = 1; i < len; i++) value = value * 256 + buf[at + i];
  return { value, next: at + len };
}

function headerMask(hp: Buffer, sample: Buffer): Buffer {
  const c = createCipheriv('aes-128-ecb', hp, null);
  return c.update(sample);
}

function nonceFor(iv: Buffer, pn: number): Buffer {
  const nonce = Buffer.from(iv);
  for (let i = 0; i < 4; i++) nonce[11 - i] ^= (pn >>> (8 * i)) & 0xff;
  return nonce;
}

/** The plaintext parts of one captured client Initial, ready to be sealed under a new DCID. */
export interface InitialTemplate {
  /** Unprotected header bytes up to the packet number, with the DCID at `dcidAt`. */
  header: Buffer;
  dcidAt: number;
  dcidLength: number;
  pn: number;
  pnLength: number;
  plaintext: Buffer;
}

/** Decrypts the first (Initial) packet of a client's first datagram. */
export function parseInitial(datagram: Buffer): InitialTemplate {
  if ((datagram[0] & 0xf0) !== 0xc0) throw new Error('not a QUIC v1 Initial packet');
  let at = 5;
  const dcidLength = datagram[at];
  const dcidAt = at + 1;
  const dcid = datagram.subarray(dcidAt, dcidAt + dcidLength);
  at = dcidAt + dcidLength;
  at += 1 + datagram[at]; // SCID
  const token = readVarint(datagram, at);
  at = token.next + token.value;
  const length = readVarint(datagram, at);
  const pnAt = length.next;
  const { key, iv, hp } = clientKeys(dcid);
  const mask = headerMask(hp, datagram.subarray(pnAt + 4, pnAt + 20));
  const first = datagram[0] ^ (mask[0] & 0x0f);
  const pnLength = (first & 0x03) + 1;
  let pn = 0;
  for (let i = 0; i < pnLength; i++) pn = pn * 256 + (datagram[pnAt + i] ^ mask[1 + i]);
  const header = Buffer.from(datagram.subarray(0, pnAt + pnLength));
  header[0] = first;
  for (let i = 0; i < pnLength; i++) header[pnAt + i] = datagram[pnAt + i] ^ mask[1 + i];
  const end = pnAt + length.value;
  const sealed = datagram.subarray(pnAt + pnLength, end);
  const d = createDecipheriv('aes-128-gcm', key, nonceFor(iv, pn));
  d.setAAD(header);
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  const plaintext = Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
  return { header, dcidAt, dcidLength, pn, pnLength, plaintext };
}

/** The template's Initial sealed under `dcid` (random when absent), header protection applied. */
export function sealInitial(t: InitialTemplate, dcid: Buffer = randomBytes(t.dcidLength)): Buffer {
  const header = Buffer.from(t.header);
  dcid.copy(header, t.dcidAt);
  const { key, iv, hp } = clientKeys(dcid);
  const c = createCipheriv('aes-128-gcm', key, nonceFor(iv, t.pn));
  c.setAAD(header);
  const packet = Buffer.concat([header, c.update(t.plaintext), c.final(), c.getAuthTag()]);
  const pnAt = header.length - t.pnLength;
  const mask = headerMask(hp, packet.subarray(pnAt + 4, pnAt + 20));
  packet[0] ^= mask[0] & 0x0f;
  for (let i = 0; i < t.pnLength; i++) packet[pnAt + i] ^= mask[1 + i];
  return packet;
}

/** Captures a real client's first datagram by dialing a UDP socket that never answers. */
export async function captureInitial(transport: Transport): Promise<InitialTemplate> {
  const sink = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => sink.bind(0, '127.0.0.1', resolve));
  const first = new Promise<Buffer>((resolve) => sink.once('message', (m) => resolve(m)));
  const dial = transport
    .dial({ host: '127.0.0.1', port: sink.address().port, security: { insecure: true }, timeoutMs: 1500 })
    .then((c) => c.destroy())
    .catch(() => undefined);
  try {
    return parseInitial(await first);
  } finally {
    sink.close();
    await dial;
  }
}
