/**
 * A gateway with no way to authenticate peers (no MESH_SECRET, no MESH_PEER_IDS) accepts no mesh
 * peer at all: otherwise any client could join as a "peer" and skip the realm token.
 */
import { startGateway, waitFor } from '../helpers/mesh';

it('refuses PEER_HELLO when neither MESH_SECRET nor MESH_PEER_IDS is set, even from a gateway that has a secret', async () => {
  const open = await startGateway('standalone', 'tls', {
    meshSecret: undefined,
    meshPeerIds: [],
    token: 'realm-token-1',
  });
  const port = open.listeners.get('tls')!.port;
  const dialer = await startGateway('dialer', 'tls', {
    meshPeers: [{ transport: 'tls', host: '127.0.0.1', port, url: `tls://127.0.0.1:${port}` }],
  });
  try {
    await waitFor(() => open.stats.refusedPeers >= 1, 10_000, 'the refusal');
    expect(open.mesh.links.size).toBe(0);
    expect(dialer.mesh.links.get('standalone')?.connected ?? false).toBe(false);
  } finally {
    await dialer.stop();
    await open.stop();
  }
});
