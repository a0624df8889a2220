/**
 * TLS connections that never finish their handshake are bounded (docs/protocol.md, protection):
 * closed after the handshake timeout, and never more than `maxPendingHandshakes` at once (the
 * oldest gives way), so silent sockets cannot exhaust descriptors and lock real clients out.
 * Completed handshakes do not count against the cap.
 */
import * as net from 'node:net';
import { listenerSecurity } from '../../gateway/transport/identity';
import { TlsTransport } from '../../gateway/transport/tls';
import type { Listener } from '../../gateway/transport/transport';
import { waitFor } from '../helpers/mesh';
import { echoOnce, HOST, identities, receive } from './harness';

jest.setTimeout(30_000);

const tls = new TlsTransport();

/** Plain TCP sockets that connect and never say anything; `open()` counts those still open. */
async function silentSockets(port: number, n: number) {
  const sockets: net.Socket[] = [];
  let closed = 0;
  for (let i = 0; i < n; i++) {
    const s = net.connect(port, HOST);
    s.on('error', () => undefined);
    s.on('close', () => closed++);
    await new Promise<void>((resolve) => s.once('connect', () => resolve()));
    sockets.push(s);
  }
  return { open: () => n - closed, destroy: () => sockets.forEach((s) => s.destroy()) };
}

async function listen(handshakeTimeoutMs: number, maxPendingHandshakes: number): Promise<Listener> {
  const [server] = await identities();
  return tls.listen(
    { host: HOST, port: 0, security: listenerSecurity(server), handshakeTimeoutMs, maxPendingHandshakes },
    (c) => c.onData((d) => c.write(d)),
  );
}

describe('TLS handshake limits', () => {
  it('closes sockets that never start their handshake once the handshake timeout passes', async () => {
    const listener = await listen(300, 1000);
    const silent = await silentSockets(listener.port, 5);
    try {
      await waitFor(() => silent.open() === 0, 10_000, 'the listener to close every silent socket');
    } finally {
      silent.destroy();
      await listener.close();
    }
  });

  it('holds at most maxPendingHandshakes silent sockets, and a real client still connects', async () => {
    const listener = await listen(60_000, 20);
    const silent = await silentSockets(listener.port, 60);
    try {
      await waitFor(() => silent.open() <= 20, 10_000, 'the oldest silent sockets to be dropped');
      expect(await echoOnce(tls, listener.port)).toBe('ping');
    } finally {
      silent.destroy();
      await listener.close();
    }
  });

  it('does not count finished handshakes: more open connections than the cap all keep working', async () => {
    const listener = await listen(60_000, 3);
    const conns = [];
    try {
      for (let i = 0; i < 10; i++)
        conns.push(
          await tls.dial({ host: HOST, port: listener.port, security: { insecure: true }, timeoutMs: 5000 }),
        );
      for (const [i, c] of conns.entries()) {
        c.write(Buffer.from([i]));
        expect((await receive(c, 1, 5000))[0]).toBe(i);
      }
    } finally {
      conns.forEach((c) => c.destroy());
      await listener.close();
    }
  });
});
