/**
 * Before HELLO a connection is a stranger (docs/protocol.md, protection): its first frame may be a
 * few KiB only (the decoder would otherwise allocate whatever size it announces, up to
 * MAX_FRAME_BYTES), and at most MAX_PENDING_HANDSHAKES of them wait at once per transport, the
 * oldest giving way; real clients still get in.
 */
import type { Gateway, TransportName } from '../../gateway';
import { connect } from '../../gateway/client';
import { RawClient } from '../helpers/raw-client';
import { REALM, startGateway, waitFor } from '../helpers/mesh';

jest.setTimeout(30_000);

describe.each(['tls', 'quic'] as const)('before HELLO over %s', (transport: TransportName) => {
  let gw: Gateway;
  const raws: RawClient[] = [];
  beforeAll(async () => {
    gw = await startGateway(`gw-prehello-${transport}`, transport, { maxPendingHandshakes: 5 });
  });
  afterAll(async () => {
    raws.forEach((r) => r.destroy());
    await gw.stop();
  });
  const port = (): number => gw.listeners.get(transport)!.port;

  it('closes a connection whose first frame announces 1 MiB, as a malformed frame', async () => {
    const before = gw.stats.malformedFrames;
    const raw = await RawClient.dial(transport, port());
    raws.push(raw);
    const prefix = Buffer.alloc(8 + 100);
    prefix.writeUInt32BE(1024 * 1024, 0);
    prefix.writeUInt32BE(10, 4);
    raw.writeBytes(prefix);
    await raw.waitClosed(5000);
    expect(gw.stats.malformedFrames).toBe(before + 1);
  });

  it('keeps at most MAX_PENDING_HANDSHAKES silent connections; a real client still connects', async () => {
    const silent: RawClient[] = [];
    for (let i = 0; i < 12; i++) silent.push(await RawClient.dial(transport, port()));
    raws.push(...silent);
    await waitFor(() => silent.filter((r) => !r.closed).length <= 5, 10_000, 'the oldest to be dropped');
    // The newest are the ones kept.
    expect(silent.slice(-5).every((r) => !r.closed)).toBe(true);
    const client = await connect({
      url: gw.urls()[transport]!,
      realm: REALM,
      insecure: true,
      reconnect: false,
    });
    await client.publish('test.pre.hello', 1, { ack: true });
    await client.close();
  });
});
