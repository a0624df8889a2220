/**
 * The closing period (RFC 9000 §10.2; docs/protocol.md §1): after the ngtcp2 listener closes a
 * connection it keeps answering that connection's late packets with its CONNECTION_CLOSE, at a
 * falling rate (1st, 2nd, 4th… packet), for three PTOs but at least 2 s, then forgets it. A UDP relay
 * on loopback stands between client and listener: it keeps a 1-RTT packet of the client's and
 * plays it to the listener again after the close, counting what comes back.
 */
import { listenerSecurity } from '../../gateway/transport/identity';
import { ngtcp2Available } from '../../gateway/transport/ngtcp2-native';
import type { Connection } from '../../gateway/transport/transport';
import { HOST, boundUdp, dialEchoed, identities, sleep, transportCases } from './harness';

jest.setTimeout(60_000);
const maybe = ngtcp2Available() ? it : it.skip;

maybe('answers late packets of a closed connection with CONNECTION_CLOSE, then forgets it', async () => {
  const ngtcp2 = transportCases.find((c) => c.label === 'quic (ngtcp2)')!;
  const [server] = await identities();
  const accepted: Connection[] = [];
  const listener = await ngtcp2.transport.listen(
    { host: HOST, port: 0, security: listenerSecurity(server) },
    (conn) => {
      accepted.push(conn);
      conn.onData((d) => conn.write(d));
    },
  );
  const front = await boundUdp(); // the client's side of the relay
  const back = await boundUdp(); // the listener's side
  let client: { port: number; address: string } | undefined;
  let lastShortHeader: Buffer | undefined;
  let fromListener = 0;
  let forward = true;
  front.on('message', (m, from) => {
    client = { port: from.port, address: from.address };
    if ((m[0]! & 0x80) === 0) lastShortHeader = Buffer.from(m); // a 1-RTT packet
    back.send(m, listener.port, HOST);
  });
  back.on('message', (m) => {
    fromListener++;
    if (forward && client) front.send(m, client.port, client.address);
  });
  const conn = await dialEchoed(ngtcp2, front.address().port);
  try {
    expect(lastShortHeader).toBeDefined();
    const closed = new Promise<void>((r) => conn.onClose(() => r()));
    accepted[0]!.destroy();
    await closed; // the client got the listener's CONNECTION_CLOSE
    forward = false;

    // Eight late packets of the closed connection. Answered are the 1st, 2nd, 4th and 8th packet
    // the listener sees for it; some of the client's own may have arrived after the close and
    // counted first, so 1 to 4 answers: some, and fewer than the packets.
    const before = fromListener;
    for (let i = 0; i < 8; i++) {
      back.send(lastShortHeader!, listener.port, HOST);
      await sleep(50);
    }
    await sleep(300);
    const answers = fromListener - before;
    expect(answers).toBeGreaterThanOrEqual(1);
    expect(answers).toBeLessThanOrEqual(4);

    // Past the period (2 s; three PTOs on loopback are far less) the id is unknown: no answer.
    await sleep(5000);
    const later = fromListener;
    back.send(lastShortHeader!, listener.port, HOST);
    back.send(lastShortHeader!, listener.port, HOST);
    await sleep(1000);
    expect(fromListener - later).toBe(0);
  } finally {
    conn.destroy();
    front.close();
    back.close();
    await listener.close();
  }
});
