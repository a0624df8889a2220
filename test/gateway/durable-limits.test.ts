/**
 * Gateway-wide durable bounds on a real gateway, over the wire (durable-store.ts has the unit
 * tests): a client past DURABLE_MAX_COUNT gets limit_exceeded, and a durable subscription left
 * without a client for DURABLE_EXPIRE_S is removed by the gateway's own timer.
 */
import type { TransportName } from '../../gateway';
import { startMesh, waitFor, type TestMesh } from '../helpers/mesh';

jest.setTimeout(30_000);

const TOPIC = 'be.cortexiq.durable.limits';

describe.each(['quic', 'tls'] as const)('durable bounds over %s', (transport: TransportName) => {
  let mesh: TestMesh;
  afterEach(async () => {
    await mesh?.stop();
  });

  it('refuses a durable subscription past DURABLE_MAX_COUNT, and accepts one again after an unsubscribe', async () => {
    mesh = await startMesh(1, 'line', transport, { durableMaxCount: 2 });
    const client = await mesh.client(0);
    const first = await client.subscribe(TOPIC, () => undefined, { durable: 'one' });
    await client.subscribe(TOPIC, () => undefined, { durable: 'two' });
    await expect(client.subscribe(TOPIC, () => undefined, { durable: 'three' })).rejects.toMatchObject({
      code: 'limit_exceeded',
      message: expect.stringContaining('DURABLE_MAX_COUNT'),
    });
    // Live subscriptions are not counted.
    await client.subscribe(TOPIC, () => undefined);
    await first.unsubscribe();
    await client.subscribe(TOPIC, () => undefined, { durable: 'three' });
    expect([...mesh.gateways[0].durables.values()].map((d) => d.name).sort()).toEqual(['three', 'two']);
  });

  it('removes a durable subscription left without a client for DURABLE_EXPIRE_S, keeping one in use', async () => {
    mesh = await startMesh(1, 'line', transport, { durableExpireMs: 1000 });
    const gw = mesh.gateways[0];
    const leaving = await mesh.client(0);
    await leaving.subscribe(TOPIC, () => undefined, { durable: 'abandoned' });
    const staying = await mesh.client(0);
    await staying.subscribe(TOPIC, () => undefined, { durable: 'in-use' });
    await leaving.close();
    await waitFor(() => gw.durables.get('abandoned')?.sessionId === undefined, 5000, 'detached');
    // Two events kept while it is away, then lost with it.
    await staying.publish(TOPIC, 1);
    await staying.publish(TOPIC, 2, { ack: true });
    await waitFor(() => gw.durables.get('abandoned')?.pending === 2, 5000, 'two events kept');
    await waitFor(() => !gw.durables.has('abandoned'), 5000, 'the abandoned durable subscription to expire');
    expect(gw.durables.has('in-use')).toBe(true);
    expect(gw.durables.expiredTotal).toBe(1);
    const metrics = await (await fetch(`${gw.admin!.url}/metrics`)).text();
    expect(metrics).toMatch(/^macula_durable_expired_total{gateway_id="gw0"} 1$/m);
    expect(metrics).toMatch(/^macula_durable_subscriptions{gateway_id="gw0"} 1$/m);
    // Coming back under the expired name: a fresh subscription that says what was lost.
    const back = await mesh.client(0);
    const sub = await back.subscribe(TOPIC, () => undefined, { durable: 'abandoned' });
    expect(sub.dropped).toBe(2);
  });
});
