/**
 * What the two QUIC stacks (quinn in quinn.ts, ngtcp2 in ngtcp2.ts) share so that they are one
 * transport to their users: the stream preamble, the timeouts, address resolution and the rule
 * for trusting a listener.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { hostPort } from './base-connection';
import { newQuicSeed } from './identity';
import { PeerNotTrustedError, type DialOptions, type ListenOptions } from './transport';

/** "CortexIQ stream, version 1": the first byte the dialer sends on the stream. */
export const STREAM_PREAMBLE = 0xc1;
export const DEFAULT_DIAL_TIMEOUT_MS = 10_000;
/** How long an accepted connection may take to open its stream before it is dropped. */
export const STREAM_OPEN_TIMEOUT_MS = 10_000;

export async function resolveHost(host: string): Promise<{ address: string; family: 4 | 6 }> {
  const family = isIP(host);
  if (family !== 0) return { address: host, family: family as 4 | 6 };
  const found = await lookup(host);
  return { address: found.address, family: found.family as 4 | 6 };
}

/**
 * libp2p identities have no CA path: a dial needs pinned peer ids or an explicit `insecure`.
 * Returns `host:port` for messages and the pinned ids.
 */
export function dialTrust(options: DialOptions): { where: string; pinned: readonly string[] } {
  const where = hostPort(options.host, options.port);
  const pinned = options.security.pinned ?? [];
  if (pinned.length === 0 && !options.security.insecure) {
    throw new PeerNotTrustedError(
      `quic dial ${where}: refusing an unverified gateway; set security.pinned (peer ids) or security.insecure`,
    );
  }
  return { where, pinned };
}

/** Refuses a listener whose peer id is not pinned (unless the dial is `insecure`). */
export function checkPeerId(options: DialOptions, where: string, peerId: string): void {
  const { security } = options;
  if (!security.insecure && !(security.pinned ?? []).includes(peerId))
    throw new PeerNotTrustedError(`quic dial ${where}: peer id ${peerId} is not in security.pinned`);
}

/** A listener's Ed25519 seed: required, since its peer id is what dialers pin. */
export function listenSeed(options: ListenOptions): Uint8Array {
  const seed = options.security.quicSeed;
  if (!seed) {
    throw new Error(
      'quic listen: security.quicSeed is required (use devIdentity() from gateway/transport/identity for development)',
    );
  }
  return seed;
}

/** Process-wide identity for dialers that have none of their own (apps). */
let ephemeralSeed: Uint8Array | undefined;

export function dialSeed(options: DialOptions): Uint8Array {
  return options.security.quicSeed ?? (ephemeralSeed ??= newQuicSeed());
}
