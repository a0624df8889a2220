/**
 * The client's `error` event (docs/protocol.md, client) carries what has no caller to reject: a
 * handler that throws or rejects, and a payload that does not decode. Nothing is silent.
 */
import type { Gateway } from '../../gateway';
import { connect, type GatewayClient } from '../../gateway/client';
import { M } from '../../gateway/protocol/messages';
import { RawClient } from '../helpers/raw-client';
import { REALM, startGateway, waitFor } from '../helpers/mesh';

jest.setTimeout(30_000);

describe('client error event', () => {
  let gw: Gateway;
  let client: GatewayClient;
  const errors: Error[] = [];

  beforeAll(async () => {
    gw = await startGateway('gw-client-errors', 'tls');
    client = await connect({ url: gw.urls().tls!, realm: REALM, insecure: true });
    client.on('error', (e) => errors.push(e as Error));
  });
  afterAll(async () => {
    await client.close();
    await gw.stop();
  });

  it('reports a handler that throws and one that rejects, and keeps delivering', async () => {
    const seen: number[] = [];
    await client.subscribe<number>('test.errors.sync', (n) => {
      seen.push(n);
      if (n === 1) throw new Error('handler broke on 1');
    });
    await client.subscribe<number>('test.errors.async', async (n) => {
      if (n === 2) throw new Error('async handler broke on 2');
    });
    await client.publish('test.errors.sync', 1, { ack: true });
    await client.publish('test.errors.async', 2, { ack: true });
    await client.publish('test.errors.sync', 3, { ack: true });
    await waitFor(() => errors.length >= 2 && seen.length === 2, 5000, 'both errors and event 3');
    expect(errors.map((e) => e.message)).toEqual(
      expect.arrayContaining(['handler broke on 1', 'async handler broke on 2']),
    );
    expect(seen).toEqual([1, 3]);
  });

  it('reports a payload that does not decode', async () => {
    const got: unknown[] = [];
    await client.subscribe('test.errors.bad', (p) => void got.push(p));
    const before = errors.length;
    const raw = await RawClient.dial('tls', gw.listeners.get('tls')!.port);
    try {
      await raw.hello(REALM);
      // An array of two whose second element never comes.
      raw.send([M.PUBLISH, 'test.errors.bad', 7, false], Buffer.from([0x92, 0x01]));
      await raw.waitFrame((f) => f.header[0] === M.PUBLISHED, 'PUBLISHED');
    } finally {
      raw.destroy();
    }
    await waitFor(() => errors.length > before, 5000, 'the decode error');
    expect(got).toEqual([]);
  });
});
