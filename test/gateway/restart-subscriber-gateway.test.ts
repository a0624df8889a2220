/**
 * The subscriber's gateway is SIGKILLed with a durable subscriber attached and a numbered stream
 * flowing, and restarted with the same GATEWAY_DATA_DIR after 5 s (docs/loss.md "Durable
 * subscriptions across a crash"): nothing is lost, what the gateway had acknowledged upstream was on
 * its disk. The same scenario as `npm run bench:faults` kill-sub-gateway, shorter; gateways are
 * processes, so the kill is a real one.
 */
import { subscriberGatewayKilled } from '../../bench/faults/restarts';

jest.setTimeout(120_000);

/**
 * Events the client had handled but whose acknowledgement the killed gateway had not yet written
 * come again after the restart, with their sequence numbers (a client can skip them); a few
 * milliseconds' worth at 1,000 msg/s.
 */
const REDELIVERY_BOUND = 50;

describe.each(['tls', 'quic'] as const)("subscriber's gateway SIGKILLed over %s", (transport) => {
  it('loses nothing a durable subscriber was owed', async () => {
    const row = await subscriberGatewayKilled(transport, { beforeS: 4, afterS: 2, downS: 5, dataDir: true });
    process.stdout.write(`${transport} kill-sub-gateway: ${JSON.stringify(row)}\n`);
    expect(row.published).toBeGreaterThan(3000);
    expect(row.lost).toBe(0);
    expect(row.dup).toBeLessThanOrEqual(REDELIVERY_BOUND);
    expect(row.reorder).toBeLessThanOrEqual(row.dup);
  });
});
