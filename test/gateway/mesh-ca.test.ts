/**
 * A deployed mesh (Pulumi): every gateway has a certificate from the mesh CA and MACULA_TLS_CA set,
 * no pinned ids, and MESH_SECRET. Over TLS the CA verifies each peer; over QUIC (no CA path for
 * libp2p identities) the MESH_SECRET handshake does. Apps reach their gateway over TLS with the CA.
 */
import { Gateway, gatewayConfig, type TransportName } from '../../gateway';
import { connect } from '../../gateway/client';
import { identityFromPem } from '../../gateway/transport/identity';
import { createTestCa } from '../transport/test-ca';
import { REALM, waitFor } from '../helpers/mesh';
import pino from 'pino';

jest.setTimeout(30_000);
const ca = createTestCa();
const other = createTestCa('another-ca');
const quiet = pino({ level: 'silent' });

async function caGateway(
  id: string,
  transport: TransportName,
  peerPort?: number,
  issuer = ca,
): Promise<Gateway> {
  const leaf = issuer.issue(id);
  const scheme = transport === 'tls' ? 'tls' : 'https';
  return Gateway.start(
    gatewayConfig({
      gatewayId: id,
      realm: REALM,
      transports: [transport],
      meshSecret: 'deployed-mesh-secret-0123456789',
      tls: { caPem: ca.caPem, certPem: leaf.certPem, keyPem: leaf.keyPem },
      meshPeers: peerPort
        ? [{ transport, host: '127.0.0.1', port: peerPort, url: `${scheme}://127.0.0.1:${peerPort}` }]
        : [],
    }),
    { logger: quiet, identity: identityFromPem({ certPem: leaf.certPem, keyPem: leaf.keyPem }) },
  );
}

describe.each(['quic', 'tls'] as const)('CA-configured mesh over %s', (transport) => {
  it('links two gateways with certificates from the mesh CA and carries events', async () => {
    const a = await caGateway('ca-a', transport);
    const b = await caGateway('ca-b', transport, a.listeners.get(transport)!.port);
    try {
      await waitFor(() => a.mesh.links.get('ca-b')?.connected === true, 10_000, 'the link');
      if (transport === 'tls') {
        // Apps connect over TLS verified by the CA (what the deployment does).
        const sub = await connect({ url: b.urls().tls!, realm: REALM, caPem: ca.caPem });
        const got: number[] = [];
        await sub.subscribe<number>('be.cortexiq.ca.test', (n) => void got.push(n));
        const pub = await connect({ url: a.urls().tls!, realm: REALM, caPem: ca.caPem });
        await waitFor(
          () => a.mesh.lsdb.interestedIn('be.cortexiq.ca.test').includes('ca-b'),
          10_000,
          'interest',
        );
        await pub.publish('be.cortexiq.ca.test', 7, { ack: true });
        await waitFor(() => got.length === 1, 5000, 'the event');
        expect(got).toEqual([7]);
        await pub.close();
        await sub.close();
      }
    } finally {
      await b.stop();
      await a.stop();
    }
  });
});

it('over TLS, a peer whose certificate is not from the mesh CA is refused when dialing it', async () => {
  const stranger = await caGateway('stranger', 'tls', undefined, other);
  const b = await caGateway('ca-dialer', 'tls', stranger.listeners.get('tls')!.port);
  try {
    await waitFor(
      () => b.dialers[0].attempts >= 1 && b.dialers[0].lastError !== undefined,
      10_000,
      'a failed dial',
    );
    expect(b.dialers[0].lastError).toMatch(/certificate|verify|unable|self.signed|not trusted/i);
    expect(b.mesh.links.get('stranger')?.connected ?? false).toBe(false);
  } finally {
    await b.stop();
    await stranger.stop();
  }
});

it('a client with the CA refuses a gateway whose certificate is not from it', async () => {
  const stranger = await caGateway('stranger2', 'tls', undefined, other);
  try {
    await expect(
      connect({ url: stranger.urls().tls!, realm: REALM, caPem: ca.caPem, reconnect: false }),
    ).rejects.toThrow();
  } finally {
    await stranger.stop();
  }
});
