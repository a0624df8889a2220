/**
 * Replies and control frames are never dropped, so a client that stops reading while it keeps
 * sending requests (here PINGs) must be closed once they pass CLIENT_MAX_QUEUE_BYTES — the gateway's
 * memory stays bounded (docs/protocol.md §4) and other clients are unaffected.
 */
import { M } from '../../gateway/protocol/messages';
import { REALM, startMesh, waitFor } from '../helpers/mesh';
import { RawTlsSocketClient } from '../helpers/raw-client';

it('closes a non-reading client whose undroppable replies pass the bound', async () => {
  const mesh = await startMesh(1, 'line', 'tls', { clientMaxQueueBytes: 64 * 1024 });
  const gw = mesh.gateways[0];
  const stuck = await RawTlsSocketClient.dial(gw.listeners.get('tls')!.port);
  try {
    await stuck.hello(REALM);
    const other = await mesh.client(0, 'other');
    stuck.pause();
    const nonce = 'x'.repeat(1024);
    let closed = false;
    void stuck.waitClosed(20_000).then(() => (closed = true));
    // Bounded: at most 20,000 PINGs (20 MB of PONGs), in batches so the gateway reads them.
    for (let i = 0; i < 200 && !closed && gw.sessions.size > 1; i++) {
      for (let k = 0; k < 100; k++) stuck.send([M.PING, nonce]);
      await new Promise((r) => setTimeout(r, 5));
    }
    await waitFor(() => gw.sessions.size === 1, 10_000, 'the stuck session to be closed');
    const queued = [...gw.sessions.values()].reduce((n, s) => n + s.out.depthBytes, 0);
    expect(queued).toBeLessThan(64 * 1024);
    // The other client still works.
    expect(await other.call('be.nobody.home', {}).catch((e: { code: string }) => e.code)).toBe(
      'no_such_procedure',
    );
  } finally {
    stuck.destroy();
    await mesh.stop();
  }
});
