/**
 * Client liveness: a silent client is pinged, and one that stays silent (a half-open connection
 * after a network cut) loses its session, so its registrations can be taken back on reconnect.
 */
import { M } from '../../gateway/protocol/messages';
import { REALM, startMesh, waitFor } from '../helpers/mesh';
import { RawTlsSocketClient } from '../helpers/raw-client';

it('pings a silent client, and closes its session when it stays silent', async () => {
  const mesh = await startMesh(1, 'line', 'tls');
  const gw = mesh.gateways[0];
  const raw = await RawTlsSocketClient.dial(gw.listeners.get('tls')!.port);
  try {
    await raw.hello(REALM);
    await raw.request((id) => [M.REGISTER, id, 'be.cortexiq.live.test']);
    const session = [...gw.sessions.values()][0];
    const t0 = session.lastHeard;
    session.checkLiveness(t0 + 11_000, 10_000, 30_000);
    await raw.waitFrame((f) => f.header[0] === M.PING, 'a PING');
    expect(gw.sessions.size).toBe(1);
    session.checkLiveness(t0 + 31_000, 10_000, 30_000);
    await waitFor(() => gw.sessions.size === 0, 5000, 'the session to close');
    expect(gw.rpc.registrations.has('be.cortexiq.live.test')).toBe(false);
    // A client that answers is heard again and keeps its session.
    const live = await mesh.client(0, 'live');
    const s2 = [...gw.sessions.values()][0];
    s2.checkLiveness(s2.lastHeard + 11_000, 10_000, 30_000);
    await waitFor(
      () => s2.lastHeard > Date.now() - 1000 && gw.stats.messagesIn[M.PONG] > 0,
      5000,
      'the PONG',
    );
    expect(gw.sessions.size).toBe(1);
    await live.close();
  } finally {
    raw.destroy();
    await mesh.stop();
  }
});
