/**
 * Peers authenticate each other (docs/protocol.md §3): a gateway with another MESH_SECRET gets no link,
 * pinned identities (MESH_PEER_IDS) refuse an unpinned peer on either side, and a pinned one links.
 * Every refusal is counted (refusedPeers). Real gateways, both transports.
 */
import type { Gateway, GatewayConfig, PeerUrl, TransportName } from '../../gateway';
import { sharedIdentity, startGateway, waitFor } from '../helpers/mesh';

jest.setTimeout(30_000);

function peerUrl(gw: Gateway, transport: TransportName): PeerUrl {
  const port = gw.listeners.get(transport)!.port;
  return {
    transport,
    host: '127.0.0.1',
    port,
    url: `${transport === 'tls' ? 'tls' : 'https'}://127.0.0.1:${port}`,
  };
}

const linked = (a: Gateway, b: Gateway): boolean =>
  a.mesh.links.get(b.gatewayId)?.connected === true && b.mesh.links.get(a.gatewayId)?.connected === true;
const anyLink = (g: Gateway): boolean => [...g.mesh.links.values()].some((l) => l.connected);

describe.each(['quic', 'tls'] as const)('mesh peer authentication over %s', (transport) => {
  const started: Gateway[] = [];
  async function gateway(id: string, overrides: Partial<GatewayConfig> = {}): Promise<Gateway> {
    const g = await startGateway(id, transport, overrides);
    started.push(g);
    return g;
  }
  afterEach(async () => {
    await Promise.all(started.splice(0).map((g) => g.stop()));
  });

  /** The identity test gateways present on this transport, in the form peers pin. */
  async function ownIdentity(): Promise<string> {
    const id = await sharedIdentity();
    return transport === 'quic' ? id.quicPeerId : id.tlsFingerprint;
  }

  /** Both sides refused at least once, and no link came up on either in the meantime. */
  async function refusedBothWays(a: Gateway, b: Gateway): Promise<void> {
    await waitFor(
      () => a.stats.refusedPeers > 0 && b.stats.refusedPeers > 0,
      10_000,
      'both sides to count a refused peer',
    );
    // The dialer keeps retrying with backoff; none of its attempts may get through.
    await new Promise((r) => setTimeout(r, 700));
    expect(anyLink(a)).toBe(false);
    expect(anyLink(b)).toBe(false);
    expect(a.mesh.lsdb.reachable(b.gatewayId)).toBe(false);
  }

  it('links two gateways that share the mesh secret (control)', async () => {
    const a = await gateway('gw-a', { meshSecret: 'shared-secret-0123456789' });
    const b = await gateway('gw-b', {
      meshSecret: 'shared-secret-0123456789',
      meshPeers: [peerUrl(a, transport)],
    });
    await waitFor(() => linked(a, b), 10_000, 'link');
    expect(a.stats.refusedPeers + b.stats.refusedPeers).toBe(0);
  });

  it('refuses a peer with a different mesh secret: no link, refusals counted', async () => {
    const a = await gateway('gw-a', { meshSecret: 'secret-of-realm-a-000000' });
    const b = await gateway('gw-b', {
      meshSecret: 'secret-of-realm-b-111111',
      meshPeers: [peerUrl(a, transport)],
    });
    await refusedBothWays(a, b);
    expect(b.dialers[0].lastError).toMatch(/MESH_SECRET/);
  });

  it('refuses a peer without a secret when one is configured', async () => {
    const a = await gateway('gw-a', { meshSecret: 'secret-of-realm-a-000000' });
    const b = await gateway('gw-b', { meshSecret: undefined, meshPeers: [peerUrl(a, transport)] });
    await waitFor(() => a.stats.refusedPeers > 0, 10_000, 'the acceptor to refuse');
    await new Promise((r) => setTimeout(r, 700));
    expect(anyLink(a)).toBe(false);
    expect(anyLink(b)).toBe(false);
  });

  it('refuses, at the accepting side, a peer whose identity is not in MESH_PEER_IDS', async () => {
    const a = await gateway('gw-a', {
      meshPeerIds: [
        transport === 'quic' ? '12D3KooWNotTheTestIdentityNotTheTestIdentity11' : 'ab'.repeat(32),
      ],
    });
    const b = await gateway('gw-b', { meshPeers: [peerUrl(a, transport)] });
    await refusedBothWays(a, b);
  });

  it('refuses, at the dialing side, a listener whose identity is not pinned', async () => {
    const a = await gateway('gw-a');
    const b = await gateway('gw-b', {
      meshPeerIds: [
        transport === 'quic' ? '12D3KooWNotTheTestIdentityNotTheTestIdentity11' : 'cd'.repeat(32),
      ],
      meshPeers: [peerUrl(a, transport)],
    });
    await waitFor(() => b.dialers[0].attempts >= 2, 10_000, 'two dial attempts');
    expect(anyLink(a)).toBe(false);
    expect(anyLink(b)).toBe(false);
    expect(b.dialers[0].lastError).toBeTruthy();
  });

  it('links peers whose identities are pinned on both sides', async () => {
    const pins = [await ownIdentity()];
    const a = await gateway('gw-a', { meshPeerIds: pins });
    const b = await gateway('gw-b', { meshPeerIds: pins, meshPeers: [peerUrl(a, transport)] });
    await waitFor(() => linked(a, b), 10_000, 'link between pinned peers');
    expect(a.stats.refusedPeers + b.stats.refusedPeers).toBe(0);
  });

  if (transport === 'tls') {
    it("accepts a pinned TLS fingerprint written openssl's way (upper case with colons), as the transport does", async () => {
      const fp = await ownIdentity();
      const opensslStyle = fp.toUpperCase().match(/../g)!.join(':');
      const a = await gateway('gw-a', { meshPeerIds: [opensslStyle] });
      const b = await gateway('gw-b', { meshPeerIds: [opensslStyle], meshPeers: [peerUrl(a, transport)] });
      await waitFor(() => linked(a, b) || a.stats.refusedPeers > 0, 10_000, 'link or refusal');
      expect(a.stats.refusedPeers).toBe(0);
      expect(linked(a, b)).toBe(true);
    });
  }
});
