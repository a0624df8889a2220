/**
 * A durable name belongs to the client id that created it (docs/protocol.md, durable subscriptions):
 * another client of the realm that subscribes under it is refused, and while its owner is attached
 * not even a second session of the same client id may take it (one that went silent is replaced:
 * holder-probe.test.ts).
 */
import type { Gateway } from '../../gateway';
import type { GatewayClient } from '../../gateway/client';
import { HOLDER_PROBE_MS } from '../../gateway/core/session';
import { startGateway, tlsClientOf, waitFor } from '../helpers/mesh';

jest.setTimeout(30_000);

const TOPIC = 'be.cortexiq.durable.owned';

describe('durable subscription ownership', () => {
  let gw: Gateway;
  const clients: GatewayClient[] = [];

  const client = (clientId: string) => tlsClientOf(gw, clientId, clients);

  beforeAll(async () => {
    gw = await startGateway('gw-owner', 'tls');
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await gw.stop();
  });

  it('refuses an intruder while the owner is attached; the owner receives every event', async () => {
    const owner = await client('owner');
    const ownerGot: number[] = [];
    await owner.subscribe<number>(TOPIC, (n) => void ownerGot.push(n), { durable: 'meter' });

    const intruder = await client('intruder');
    const intruderGot: number[] = [];
    await expect(
      intruder.subscribe<number>(TOPIC, (n) => void intruderGot.push(n), { durable: 'meter' }),
    ).rejects.toMatchObject({ code: 'unauthorized', message: expect.stringContaining("'meter' belongs to") });
    // Claiming the owner's client id from a second session does not take it either.
    const twin = await client('owner');
    await expect(
      twin.subscribe<number>(TOPIC, (n) => void intruderGot.push(n), { durable: 'meter' }),
    ).rejects.toMatchObject({
      code: 'already_exists',
      message: expect.stringContaining('cannot be taken over'),
    });

    // The refusal probed the owner; it answered, so it keeps the name past the probe.
    await new Promise((r) => setTimeout(r, HOLDER_PROBE_MS + 500));
    expect(gw.durables.get('meter')!.sessionId).toBe(owner.sessionId);

    const pub = await client('publisher');
    for (let i = 0; i < 10; i++) void pub.publish(TOPIC, i);
    await pub.publish(TOPIC, 10, { ack: true });
    await waitFor(() => ownerGot.length === 11, 5000, 'all events at the owner');
    expect(ownerGot).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(intruderGot).toEqual([]);
  });

  it('after the owner left, only its client id resumes the name', async () => {
    const owner = await client('resumer');
    await owner.subscribe(TOPIC, () => undefined, { durable: 'away' });
    await owner.close();
    const durable = gw.durables.get('away')!;
    await waitFor(() => durable.sessionId === undefined, 5000, 'the owner to detach');

    const other = await client('someone-else');
    await expect(other.subscribe(TOPIC, () => undefined, { durable: 'away' })).rejects.toMatchObject({
      code: 'unauthorized',
    });
    const back = await client('resumer');
    await expect(back.subscribe(TOPIC, () => undefined, { durable: 'away' })).resolves.toBeDefined();
    expect(durable.sessionId).toBe(back.sessionId);
  });
});
