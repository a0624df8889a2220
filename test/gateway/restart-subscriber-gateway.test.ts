/**
 * The subscriber's gateway is SIGKILLed with a durable subscriber attached and a numbered stream
 * flowing, and restarted with the same GATEWAY_DATA_DIR after 5 s (docs/loss.md "Durable
 * subscriptions across a crash"): nothing is lost, what the gateway had acknowledged upstream was on
 * its disk. The same scenario as `npm run bench:faults` kill-sub-gateway, shorter; gateways are
 * processes, so the kill is a real one. Nor does the subscriber see anything twice or out of order:
 * events it had handled whose acknowledgement the killed gateway had not yet written come again
 * with the same numbers in the same epoch, and the client skips them (docs/protocol.md §2, "epoch").
 */
import { subscriberGatewayKilled } from '../../bench/faults/restarts';

jest.setTimeout(120_000);

describe.each(['tls', 'quic'] as const)("subscriber's gateway SIGKILLed over %s", (transport) => {
  it('loses nothing a durable subscriber was owed, and hands it nothing twice', async () => {
    const row = await subscriberGatewayKilled(transport, { beforeS: 4, afterS: 2, downS: 5, dataDir: true });
    process.stdout.write(`${transport} kill-sub-gateway: ${JSON.stringify(row)}\n`);
    expect(row.published).toBeGreaterThan(3000);
    expect(row.lost).toBe(0);
    expect(row.dup).toBe(0);
    expect(row.reorder).toBe(0);
  });
});

it('hands a durable subscriber with a window (maxInFlight 16) nothing twice either, over QUIC', async () => {
  const row = await subscriberGatewayKilled('quic', {
    beforeS: 4,
    afterS: 2,
    downS: 5,
    dataDir: true,
    maxInFlight: 16,
  });
  process.stdout.write(`quic kill-sub-gateway, maxInFlight 16: ${JSON.stringify(row)}\n`);
  expect(row.published).toBeGreaterThan(3000);
  expect(row.lost).toBe(0);
  expect(row.dup).toBe(0);
  expect(row.reorder).toBe(0);
});
