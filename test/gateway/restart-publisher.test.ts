/**
 * The publisher's gateway is SIGKILLed under a numbered stream and restarted on the same port after
 * 5 s (docs/loss.md "Restarts"). Its client notices the dead gateway (at once over TLS, by its
 * liveness check over QUIC), keeps every publication the gateway had not acknowledged, and sends
 * them again after reconnecting; the gateway that already delivered some of them recognises the
 * copies by (pubStream, pubSeq), and the restarted gateway holds them until it has learned the
 * mesh's interest. The publisher's gateway runs as its own process (gw-b, dials gw-a) so it can
 * really be killed; the subscriber is on gw-a, in this process.
 */
import type { Gateway } from '../../gateway';
import { spawnGateway, type GatewayProcess } from '../../bench/faults/gateway-process';
import { stopServer } from '../../bench/gateway/processes';
import { REALM, startGateway, waitFor } from '../helpers/mesh';
import { SequenceProbe } from '../helpers/sequence-probe';

jest.setTimeout(120_000);

/** The secret spawned gateways use (bench/gateway/processes.ts benchGatewayEnv). */
const MESH_SECRET = 'bench-mesh-secret-0123456789';

describe.each(['quic', 'tls'] as const)('publisher gateway SIGKILLed over %s', (transport) => {
  it('loses nothing its client published, delivers nothing twice, keeps the order', async () => {
    const a: Gateway = await startGateway('gw-a', transport, { meshSecret: MESH_SECRET });
    const env = { MESH_PEERS: a.urls()[transport]!, MACULA_REALM: REALM };
    let b: GatewayProcess | undefined = await spawnGateway('gw-b', env);
    let probe: SequenceProbe | undefined;
    try {
      await waitFor(() => a.mesh.links.get('gw-b')?.connected === true, 30_000, 'gw-b linked').catch((e) => {
        throw new Error(`${(e as Error).message}: ${b!.proc.output()}`);
      });
      probe = await SequenceProbe.start(REALM, { url: b.url(transport), name: 'gw-b' }, [
        { url: a.urls()[transport]!, name: 'gw-a' },
      ]);
      // Without `ack`: a message counts as published once publish() resolved.
      probe.publishEvery(2, 20_000, false);
      await waitFor(() => probe!.published() >= 300, 20_000, 'publishing under way');
      const exited = new Promise((r) => b!.proc.child.once('exit', r));
      b.proc.child.kill('SIGKILL');
      await exited;
      const ports = { port: b.port, adminPort: b.adminPort };
      b = undefined;
      await new Promise((r) => setTimeout(r, 5000));
      b = await spawnGateway('gw-b', env, ports);
      const restartedAt = Date.now();
      await waitFor(
        () => probe!.flowingAgainAfter('gw-a', restartedAt) !== undefined,
        30_000,
        'messages published after the restart arrive',
      );
      await probe.stopPublishing();
      await waitFor(
        () => probe!.complete('gw-a'),
        20_000,
        `everything at gw-a: ${probe.summary('gw-a')}`,
      ).catch(() => undefined);
      process.stdout.write(`${transport} publisher gateway SIGKILLed: ${probe.summary('gw-a')}\n`);
      expect(probe.published()).toBeGreaterThan(1000);
      expect(probe.missing('gw-a')).toEqual([]);
      expect(probe.duplicates('gw-a')).toEqual([]);
      expect(probe.reorders('gw-a')).toBe(0);
    } finally {
      await probe?.close();
      if (b) await stopServer(b.proc);
      await a.stop();
    }
  });
});
