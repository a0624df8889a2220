/**
 * A hub (only dialed, no peers of its own) restarted with its data folder knows from its durable
 * log that it is a restart and which peers it had, and holds its clients' publications until they
 * are linked again (docs/loss.md "Restarts"), instead of routing them by an empty database; a hub
 * without a data folder does not hold. TLS only: the hold does not depend on the transport.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Gateway, GatewayConfig } from '../../gateway';
import { connect } from '../../gateway/client';
import { REALM, startGateway, waitFor } from '../helpers/mesh';

jest.setTimeout(60_000);

const TOPIC = 'be.cortexiq.test.hubhold';
let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'hub-hold-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Restarts the hub on its port; returns the new one and what an edge subscriber got from it. */
async function restartAndPublish(withDataDir: boolean): Promise<{ hub: Gateway; got: number[] }> {
  const data: Partial<GatewayConfig> = withDataDir ? { dataDir: dir } : {};
  let hub = await startGateway('hub', 'tls', data);
  const url = hub.urls().tls!;
  const u = new URL(url);
  const port = Number(u.port);
  const edge = await startGateway('edge', 'tls', {
    meshPeers: [{ transport: 'tls', host: u.hostname, port, url }],
  });
  const sub = await connect({ url: edge.urls().tls!, realm: REALM, insecure: true });
  const got: number[] = [];
  try {
    await sub.subscribe<number>(TOPIC, (n) => void got.push(n));
    await waitFor(() => hub.mesh.lsdb.interestedIn(TOPIC).includes('edge'), 20_000, 'interest');
    await hub.router.durableLog?.flushed();
    await hub.stop();
    hub = await startGateway('hub', 'tls', { ...data, port });
    // Published at once, before the edge has redialed: only a hold gets them there.
    const pub = await connect({ url: hub.urls().tls!, realm: REALM, insecure: true });
    for (let n = 0; n < 20; n++) await pub.publish(TOPIC, n, { ack: true });
    await waitFor(() => hub.mesh.links.get('edge')?.connected === true, 20_000, 'edge linked again');
    await waitFor(() => got.length === 20, withDataDir ? 10_000 : 2000, 'all 20 at the edge').catch(
      () => undefined,
    );
    await pub.close();
    return { hub, got };
  } finally {
    await sub.close();
    await edge.stop();
    await hub.stop();
  }
}

describe('hub restart', () => {
  it('with its data folder holds publications until its peers are back', async () => {
    const { hub, got } = await restartAndPublish(true);
    expect(hub.router.restartPeers).toEqual(['edge']);
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('without one routes them by its empty database at once (nothing reaches the edge)', async () => {
    const { hub, got } = await restartAndPublish(false);
    expect(hub.router.restartPeers).toEqual([]);
    expect(got).toEqual([]);
  });
});
