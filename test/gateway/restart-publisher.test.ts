/**
 * A publisher's gateway restarts (docs/loss.md "Restarts"): its client reconnects and sends what it
 * queued meanwhile, and the new gateway process, whose database is still empty, holds those
 * publications until it has learned the mesh's interest instead of sending them toward no one.
 * A numbered stream from gw-b (dials gw-a) to a subscriber on gw-a, both transports.
 */
import type { Gateway, GatewayConfig } from '../../gateway';
import { REALM, startGateway, waitFor } from '../helpers/mesh';
import { SequenceProbe } from '../helpers/sequence-probe';

jest.setTimeout(90_000);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.each(['quic', 'tls'] as const)('publisher gateway restart over %s', (transport) => {
  it('loses nothing its client sent while the gateway was down or just back', async () => {
    const a = await startGateway('gw-a', transport);
    const url = a.urls()[transport]!;
    const u = new URL(url);
    const peers: GatewayConfig['meshPeers'] = [{ transport, host: u.hostname, port: Number(u.port), url }];
    let b: Gateway | undefined = await startGateway('gw-b', transport, { meshPeers: peers });
    const port = b.listeners.get(transport)!.port;
    let probe: SequenceProbe | undefined;
    try {
      probe = await SequenceProbe.start(REALM, { url: b.urls()[transport]!, name: 'gw-b' }, [
        { url, name: 'gw-a' },
      ]);
      probe.publishEvery(10, 5000);
      await sleep(1000);
      await b.stop();
      b = undefined;
      await sleep(1500);
      b = await startGateway('gw-b', transport, { meshPeers: peers, port });
      await waitFor(() => a.mesh.links.get('gw-b')?.connected === true, 20_000, 'gw-b linked again');
      await sleep(2000);
      await probe.stopPublishing();
      await waitFor(
        () => probe!.complete('gw-a'),
        20_000,
        `everything at gw-a: ${probe.summary('gw-a')}`,
      ).catch(() => undefined);
      process.stdout.write(`${transport} publisher gateway restarted: ${probe.summary('gw-a')}\n`);
      expect(probe.published()).toBeGreaterThan(200);
      expect(probe.missing('gw-a')).toEqual([]);
      expect(probe.duplicates('gw-a')).toEqual([]);
      expect(probe.reorders('gw-a')).toBe(0);
    } finally {
      await probe?.close();
      await b?.stop();
      await a.stop();
    }
  });
});
