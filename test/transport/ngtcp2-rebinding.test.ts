/**
 * NAT rebinding (RFC 9000 §9.3; docs/protocol.md §1): when a client's source address changes mid-
 * connection, the ngtcp2 listener answers at the new address (each datagram is read on its own
 * path) instead of at the stale one. A UDP relay on loopback stands in for the NAT: it forwards
 * the client's datagrams from one source port, then from another, and drops the first.
 */
import { ngtcp2Available } from '../../gateway/transport/ngtcp2-native';
import type * as dgram from 'node:dgram';
import { HOST, boundUdp, dialEchoed, echoListener, identities, receive, transportCases } from './harness';

jest.setTimeout(60_000);
const maybe = ngtcp2Available() ? it : it.skip;

maybe('keeps a connection whose client address changes', async () => {
  const ngtcp2 = transportCases.find((c) => c.label === 'quic (ngtcp2)')!;
  const [server] = await identities();
  const listener = await echoListener(ngtcp2, server);
  const front = await boundUdp();
  let back = await boundUdp();
  let client: { port: number; address: string } | undefined;
  const relayBack = (s: dgram.Socket): void => {
    s.on('message', (m) => {
      if (s === back && client) front.send(m, client.port, client.address);
    });
  };
  relayBack(back);
  front.on('message', (m, from) => {
    client = { port: from.port, address: from.address };
    back.send(m, listener.port, HOST);
  });
  const conn = await dialEchoed(ngtcp2, front.address().port);
  try {
    // The NAT rebinds: from now on the client's datagrams leave from another port.
    const old = back;
    back = await boundUdp();
    relayBack(back);
    old.close();
    conn.write(Buffer.from('two'));
    expect((await receive(conn, 3, 10_000)).toString()).toBe('two');
  } finally {
    conn.destroy();
    front.close();
    back.close();
    await listener.close();
  }
});
