/**
 * A gateway without a data folder restarted under a durable subscriber (docs/protocol.md §2,
 * "epoch"): the new gateway knows the subscription no more and numbers its events from 1 again,
 * while the client had handled (and acknowledged) up to a higher number. The new epoch in SUBSCRIBED
 * makes the client start over at the gateway's position, so it acknowledges only what it handled
 * since: a client that stops part-way leaves the rest kept for the next one under the name.
 */
import type { Gateway, TransportName } from '../../gateway';
import { connect, type GatewayClient } from '../../gateway/client';
import { REALM, startGateway, waitFor } from '../helpers/mesh';

jest.setTimeout(60_000);

const TOPIC = 'be.cortexiq.durable.epoch';
const NAME = 'epoch-reader';
const CLIENT_ID = 'epoch-reader-client';
const never = (): Promise<never> => new Promise<never>(() => undefined);
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

async function publishRange(pub: GatewayClient, from: number, to: number): Promise<void> {
  for (let n = from; n < to; n++) void pub.publish(TOPIC, n);
  await pub.publish(TOPIC, -1, { ack: true }); // barrier: all above accepted, and kept
}

describe.each(['tls', 'quic'] as const)('durable subscriber across an in-memory restart over %s', (t) => {
  const transport: TransportName = t;
  const clients: GatewayClient[] = [];
  const gateways: Gateway[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(gateways.splice(0).map((g) => g.stop()));
  });

  async function client(url: string, clientId?: string): Promise<GatewayClient> {
    const c = await connect({ url, realm: REALM, insecure: true, clientId });
    clients.push(c);
    return c;
  }

  /** The same port again: a UDP socket closed by the old gateway is released a moment later. */
  async function restartOn(port: number): Promise<Gateway> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await startGateway('gw-epoch-2', transport, { port });
      } catch (err) {
        if (attempt >= 50 || !/in use/.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  it('acknowledges after the restart only what it handled since, so every later event reaches a handler', async () => {
    const before = await startGateway('gw-epoch-1', transport);
    const port = before.listeners.get(transport)!.port;
    const url = before.urls()[transport]!;
    const first = await client(url, CLIENT_ID);
    const seen: number[] = [];
    // Blocks on 110: after the restart 100..109 are handled and 110 onwards are not.
    await first.subscribe<number>(
      TOPIC,
      (n) => {
        seen.push(n);
        if (n === 110) return never();
      },
      { durable: NAME },
    );
    const pub = await client(url);
    // 101 events (with the barrier) handled and acknowledged: the client's position is 101.
    await publishRange(pub, 0, 100);
    await waitFor(() => seen.length === 101, 10_000, 'the first 101 events handled');
    await waitFor(() => before.durables.get(NAME)!.floor === 101, 10_000, 'acknowledged up to 101');

    const reconnected = new Promise((resolve) => first.on('reconnected', resolve));
    await before.stop();
    gateways.push(await restartOn(port));
    const after = gateways[0];
    await reconnected;
    await waitFor(() => after.durables.get(NAME)?.sessionId !== undefined, 10_000, 'durable resumed');

    // Numbered 1..41 by the new gateway: the old position 101 is past all of them.
    await publishRange(pub, 100, 140);
    await waitFor(() => seen.includes(110), 10_000, 'event 110 at the first subscriber');
    expect(seen.slice(101)).toEqual(range(100, 111));
    const durable = after.durables.get(NAME)!;
    // 100..109 acknowledged (seq 1..10); 110..139 and the barrier still kept.
    await waitFor(() => durable.floor === 10, 10_000, 'acknowledgements of 100..109');
    expect(durable.pending).toBe(31);

    // The first subscriber goes away part-way; the next one under the name gets the rest, in order.
    await first.close();
    await waitFor(() => durable.sessionId === undefined, 10_000, 'the first subscriber detached');
    const second = await client(after.urls()[transport]!, CLIENT_ID);
    const rest: number[] = [];
    await second.subscribe<number>(TOPIC, (n) => void rest.push(n), { durable: NAME });
    await waitFor(() => rest.length === 31, 10_000, 'the rest at the second subscriber');
    expect(rest).toEqual([...range(110, 140), -1]);
  });
});
