/**
 * A publisher and its subscribers on one gateway, SIGKILLed under a numbered stream and restarted
 * on the same ports and data folder (docs/loss.md "Publishers whose gateway dies"). The publisher's
 * client sends again what the gateway had not acknowledged; some of it had reached the subscribers
 * already, and the restarted gateway remembers nothing of that. The subscribers' clients drop those
 * copies by their (pubStream, pubSeq), which EVENT carries (docs/protocol.md §2, republish): the
 * live subscriber sees each message at most once and in order (what the gateway held for it when
 * killed is gone: a live subscription promises no more), the durable one each exactly once.
 */
import { sharedGatewayKilled } from '../../bench/faults/shared-gateway';

jest.setTimeout(120_000);

describe.each(['tls', 'quic'] as const)('the shared gateway SIGKILLed over %s', (transport) => {
  it('gives the live subscriber nothing twice and the durable one everything once, in order', async () => {
    const { live, durable, liveFlowingMs } = await sharedGatewayKilled(transport, {
      beforeS: 4,
      afterS: 2,
      downS: 2,
    });
    process.stdout.write(
      `${transport} kill-shared-gateway:\n  ${JSON.stringify(live)}\n  ${JSON.stringify(durable)}\n`,
    );
    expect(durable.published).toBeGreaterThan(3000);
    expect(live.dup).toBe(0);
    expect(live.reorder).toBe(0);
    // Back after the restart (what was republished before it subscribed again is gone for it).
    expect(liveFlowingMs).toBeDefined();
    expect(durable.lost).toBe(0);
    expect(durable.dup).toBe(0);
    expect(durable.reorder).toBe(0);
  });
});
