/**
 * How a deployed app trusts its gateway from the environment alone (stacks/env.ts): the gateway
 * has a mesh-CA certificate and a fixed QUIC key (MACULA_QUIC_KEY); every app gets MACULA_TLS_CA
 * and MACULA_QUIC_PEER_ID (derived from that key), so it verifies the gateway over either
 * transport, and each variable is applied only to the transport it verifies.
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { Gateway, gatewayConfig } from '../../gateway';
import { connect, envQuicPeerIds, PeerNotTrustedError } from '../../gateway/client';
import { identityFromPem, peerIdFromSeed } from '../../gateway/transport/identity';
import { createTestCa } from '../transport/test-ca';
import { REALM } from '../helpers/mesh';

jest.setTimeout(30_000);

const ca = createTestCa();
const seed = randomBytes(32);
const peerId = peerIdFromSeed(seed);
const ENV_KEYS = ['MACULA_TLS_CA', 'MACULA_QUIC_PEER_ID', 'MACULA_TLS_INSECURE'] as const;

describe('app trust from MACULA_TLS_CA and MACULA_QUIC_PEER_ID', () => {
  let gw: Gateway;
  const saved: Partial<Record<string, string>> = {};

  beforeAll(async () => {
    const leaf = ca.issue('trust-gw');
    const quicSeedHex = seed.toString('hex');
    gw = await Gateway.start(
      gatewayConfig({
        gatewayId: 'trust-gw',
        realm: REALM,
        transports: ['quic', 'tls'],
        tls: { caPem: ca.caPem, certPem: leaf.certPem, keyPem: leaf.keyPem, quicSeed: seed },
      }),
      {
        logger: pino({ level: 'silent' }),
        identity: identityFromPem({ certPem: leaf.certPem, keyPem: leaf.keyPem, quicSeedHex }),
      },
    );
    for (const k of ENV_KEYS) saved[k] = process.env[k];
  });
  afterEach(() => {
    for (const k of ENV_KEYS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });
  afterAll(() => gw.stop());

  it('connects over QUIC pinned by MACULA_QUIC_PEER_ID and over TLS verified by MACULA_TLS_CA, with both set', async () => {
    process.env.MACULA_TLS_CA = ca.caPem;
    process.env.MACULA_QUIC_PEER_ID = peerId;
    delete process.env.MACULA_TLS_INSECURE;
    for (const url of [gw.urls().quic!, gw.urls().tls!]) {
      const c = await connect({ url, realm: REALM, reconnect: false });
      expect(c.gatewayId).toBe('trust-gw');
      await c.close();
    }
  });

  it('refuses a gateway whose QUIC peer id is not the one in MACULA_QUIC_PEER_ID', async () => {
    process.env.MACULA_QUIC_PEER_ID = peerIdFromSeed(randomBytes(32));
    const refusal = connect({ url: gw.urls().quic!, realm: REALM, reconnect: false });
    await expect(refusal).rejects.toThrow(`peer id ${peerId} is not in security.pinned`);
    // Still typed after the hint is added, so callers can tell it from a network failure.
    await expect(refusal).rejects.toBeInstanceOf(PeerNotTrustedError);
  });

  it('refuses QUIC with only MACULA_TLS_CA: a CA cannot verify a QUIC identity', async () => {
    process.env.MACULA_TLS_CA = ca.caPem;
    delete process.env.MACULA_QUIC_PEER_ID;
    await expect(connect({ url: gw.urls().quic!, realm: REALM, reconnect: false })).rejects.toThrow(
      /refusing an unverified gateway.*MACULA_QUIC_PEER_ID \(MACULA_TLS_CA does not apply to QUIC\)/,
    );
  });

  it('a gateway with MACULA_QUIC_KEY but no certificate still takes its QUIC peer id from that key', async () => {
    const ownSeed = randomBytes(32);
    const dev = await Gateway.start(
      gatewayConfig({ gatewayId: 'dev-gw', realm: REALM, transports: ['quic'], tls: { quicSeed: ownSeed } }),
      { logger: pino({ level: 'silent' }) },
    );
    try {
      expect(dev.identity.quicPeerId).toBe(peerIdFromSeed(ownSeed));
      process.env.MACULA_QUIC_PEER_ID = peerIdFromSeed(ownSeed);
      const c = await connect({ url: dev.urls().quic!, realm: REALM, reconnect: false });
      await c.close();
    } finally {
      await dev.stop();
    }
  });

  it('names MACULA_QUIC_PEER_ID when it holds something that is not a peer id', () => {
    expect(() => envQuicPeerIds({ MACULA_QUIC_PEER_ID: `${peerId}, not-a-peer-id` })).toThrow(
      "MACULA_QUIC_PEER_ID: expected libp2p Ed25519 peer ids (12D3KooW…), got 'not-a-peer-id'",
    );
    expect(envQuicPeerIds({ MACULA_QUIC_PEER_ID: ` ${peerId} ,` })).toEqual([peerId]);
    expect(envQuicPeerIds({})).toEqual([]);
  });
});
