/**
 * The two QUIC stacks on one wire: an ngtcp2 dialer and a quinn listener, and the reverse. Same
 * QUIC v1, same libp2p TLS identities, same stream preamble, so gateways and apps may mix them.
 */
import { randomBytes } from 'node:crypto';
import { listenerSecurity } from '../../gateway/transport/identity';
import { Ngtcp2Transport } from '../../gateway/transport/ngtcp2';
import { ngtcp2Available } from '../../gateway/transport/ngtcp2-native';
import { QuicTransport } from '../../gateway/transport/quinn';
import type { Connection, Transport } from '../../gateway/transport/transport';
import { closeRecorder, HOST, identities, receive } from './harness';

const quinn = new QuicTransport();
const pairs: Array<[string, Transport, string, Transport]> = ngtcp2Available()
  ? [
      ['ngtcp2', new Ngtcp2Transport(), 'quinn', quinn],
      ['quinn', quinn, 'ngtcp2', new Ngtcp2Transport()],
    ]
  : [];
if (pairs.length === 0)
  console.warn('QUIC interop skipped: the ngtcp2 addon is not built (npm run build:native)');
const maybe = pairs.length ? describe.each(pairs) : describe.skip.each([['', quinn, '', quinn]]);

maybe('%s dialing a %s listener', (_dialerName, dialer, _listenerName, listenerStack) => {
  it('authenticates both peer ids, carries 2 MB each way intact, and closes gracefully', async () => {
    const [serverId, clientId] = await identities();
    let resolveServer!: (c: Connection) => void;
    const accepted = new Promise<Connection>((r) => (resolveServer = r));
    const listener = await listenerStack.listen(
      { host: HOST, port: 0, security: listenerSecurity(serverId) },
      resolveServer,
    );
    try {
      const client = await dialer.dial({
        host: HOST,
        port: listener.port,
        security: { pinned: [serverId.quicPeerId], quicSeed: clientId.quicSeed },
      });
      const server = await accepted;
      expect(client.remoteIdentity).toBe(serverId.quicPeerId);
      expect(server.remoteIdentity).toBe(clientId.quicPeerId);

      const up = randomBytes(2 * 1024 * 1024);
      const down = randomBytes(2 * 1024 * 1024);
      const atServer = receive(server, up.length);
      const atClient = receive(client, down.length);
      client.write(up);
      server.write(down);
      expect((await atServer).equals(up)).toBe(true);
      expect((await atClient).equals(down)).toBe(true);

      const clientClosed = closeRecorder(client);
      const serverClosed = closeRecorder(server);
      client.close();
      expect(await clientClosed.closed).toBeUndefined();
      expect(await serverClosed.closed).toBeUndefined();
    } finally {
      await listener.close();
    }
  });
});
