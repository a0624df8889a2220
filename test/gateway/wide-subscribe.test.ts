/**
 * Realm-wide patterns (no literal segment: `>`, `*.>`) match every app's topics: only a client that
 * presented MACULA_MONITOR_TOKEN may subscribe to them, unless MACULA_WIDE_SUBSCRIBE says anyone
 * may (docs/protocol.md, trust). Patterns under a literal prefix stay open to every token holder.
 */
import type { Gateway, GatewayConfig } from '../../gateway';
import { connect, type GatewayClient } from '../../gateway/client';
import { REALM, startGateway, waitFor } from '../helpers/mesh';

jest.setTimeout(30_000);

const REALM_TOKEN = 'realm-token-0123456789';
const MONITOR_TOKEN = 'monitor-token-0123456789';

describe('realm-wide subscriptions', () => {
  const gateways: Gateway[] = [];
  const clients: GatewayClient[] = [];

  async function gateway(overrides: Partial<GatewayConfig>): Promise<Gateway> {
    const gw = await startGateway(`gw-wide-${gateways.length}`, 'tls', overrides);
    gateways.push(gw);
    return gw;
  }
  async function client(gw: Gateway, token?: string): Promise<GatewayClient> {
    const c = await connect({ url: gw.urls().tls!, realm: REALM, insecure: true, token, reconnect: false });
    clients.push(c);
    return c;
  }
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(gateways.map((g) => g.stop()));
  });

  it('refuses > and *.> to a realm-token client, allows a literal prefix; the monitor token gets >', async () => {
    const gw = await gateway({ token: REALM_TOKEN, monitorToken: MONITOR_TOKEN });
    const app = await client(gw, REALM_TOKEN);
    for (const pattern of ['>', '*.>', '*']) {
      await expect(app.subscribe(pattern, () => undefined)).rejects.toMatchObject({
        code: 'unauthorized',
        message: expect.stringContaining('MACULA_MONITOR_TOKEN'),
      });
    }
    await expect(app.subscribe('be.>', () => undefined)).resolves.toBeDefined();

    const monitor = await client(gw, MONITOR_TOKEN);
    const seen: string[] = [];
    await monitor.subscribe('>', (_p, meta) => void seen.push(meta.topic));
    await app.publish('be.cortexiq.x', 1, { ack: true });
    await waitFor(() => seen.length === 1, 5000, 'the event at the monitor');
    expect(seen).toEqual(['be.cortexiq.x']);
  });

  it('allows > to anyone with MACULA_WIDE_SUBSCRIBE', async () => {
    const gw = await gateway({ wideSubscribe: true });
    const anyone = await client(gw);
    await expect(anyone.subscribe('>', () => undefined)).resolves.toBeDefined();
  });
});
