/**
 * Client reconnect (docs/protocol.md §7): when its gateway goes away and a new one comes up on the same
 * address, a connected client reconnects by itself, restores its subscriptions and registrations,
 * sends what it published meanwhile, and says so with 'disconnected' and 'reconnected'.
 */
import type { Gateway } from '../../gateway';
import { connect, type GatewayClient } from '../../gateway/client';
import { REALM, startGateway, waitFor } from '../helpers/mesh';

jest.setTimeout(40_000);

describe.each(['quic', 'tls'] as const)('client reconnect over %s', (transport) => {
  const clients: GatewayClient[] = [];
  const gateways: Gateway[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(gateways.map((g) => g.stop()));
  });

  it('reconnects to a gateway restarted on the same port and restores subscriptions, registrations and offline publications', async () => {
    const first = await startGateway('gw-before', transport);
    gateways.push(first);
    const port = first.listeners.get(transport)!.port;
    const url = first.urls()[transport]!;
    const client = await connect({ url, realm: REALM, insecure: true, clientId: 'survivor' });
    clients.push(client);
    const lifecycle: Array<[string, unknown]> = [];
    client.on('disconnected', (d) => lifecycle.push(['disconnected', d]));
    client.on('reconnected', (d) => lifecycle.push(['reconnected', d]));
    const got: Array<[string, unknown]> = [];
    const sub = await client.subscribe('test.reconnect.>', (p, meta) => void got.push([meta.topic, p]));
    await client.register('test.reconnect.echo', (args: { x: number }) => ({
      x: args.x,
      servedAt: client.gatewayId,
    }));
    expect(client.gatewayId).toBe('gw-before');

    await first.stop();
    await waitFor(() => lifecycle.some(([e]) => e === 'disconnected'), 15_000, "'disconnected'");
    // Published while no gateway is there: kept by the client, sent in order after reconnecting.
    for (let i = 0; i < 5; i++) await client.publish('test.reconnect.offline', i);

    // Down long enough for several failed redials (backoff), then back on the same port.
    await new Promise((r) => setTimeout(r, 1000));
    const second = await startGateway('gw-after', transport, { port });
    gateways.push(second);
    await waitFor(() => lifecycle.some(([e]) => e === 'reconnected'), 15_000, "'reconnected'");
    expect(lifecycle.map(([e]) => e)).toEqual(['disconnected', 'reconnected']);
    expect(lifecycle[1][1]).toEqual(expect.objectContaining({ gatewayId: 'gw-after' }));
    expect(client.gatewayId).toBe('gw-after');

    // Offline publications came back to its own restored subscription, in order.
    await waitFor(
      () => got.filter(([t]) => t === 'test.reconnect.offline').length === 5,
      5000,
      'offline publications',
    );
    expect(got.filter(([t]) => t === 'test.reconnect.offline').map(([, p]) => p)).toEqual([0, 1, 2, 3, 4]);

    // Another client of the new gateway reaches the restored subscription and registration.
    const other = await connect({ url, realm: REALM, insecure: true, reconnect: false });
    clients.push(other);
    for (let i = 0; i < 3; i++) await other.publish('test.reconnect.news', { i }, { ack: true });
    await waitFor(
      () => got.filter(([t]) => t === 'test.reconnect.news').length === 3,
      5000,
      'events from another client',
    );
    expect(got.filter(([t]) => t === 'test.reconnect.news').map(([, p]) => p)).toEqual([
      { i: 0 },
      { i: 1 },
      { i: 2 },
    ]);
    expect(await other.call('test.reconnect.echo', { x: 7 })).toEqual({ x: 7, servedAt: 'gw-after' });
    expect(second.rpc.registrations.has('test.reconnect.echo')).toBe(true);
    expect(sub.dropped).toBe(0);
  });
});
