/**
 * Child process of `bench:sim`: the rest of a region's world, so the homes app is measured in a process
 * of its own as it runs in production. Two gateways (hub, region), the simulation app on the hub, the
 * utilities app (5 providers) on the region gateway, and a hub subscriber counting `be.cortexiq.>`.
 * Protocol over IPC: sends {ready, url, realm}; on {start} starts the clock; on {stop} replies with
 * {done, delivered, utilities} and exits.
 */
import { createLogger } from '../../apps/shared/logger';
import { createSimulationApp } from '../../apps/simulation/app';
import { createUtilitiesApp } from '../../apps/utilities/app';
import { loadProviders } from '../../apps/utilities/catalogue';
import { REALM, startMesh } from '../../test/helpers/mesh';

async function main(): Promise<void> {
  const transport = process.argv[2] === 'quic' ? 'quic' : 'tls';
  const speed = Number(process.argv[3]);
  const tickMs = Number(process.argv[4]);
  const log = createLogger('bench-mesh', 'warn');
  const mesh = await startMesh(2, 'full', transport);
  await mesh.converged(1);
  let delivered = 0;
  const observer = await mesh.client(0, 'observer');
  await observer.subscribe('be.cortexiq.>', () => {
    delivered++;
  });
  const utilities = createUtilitiesApp(
    { region: 'antwerp', providers: loadProviders(['providers'], 'antwerp', 5), seed: 'bench', log },
    await mesh.client(1, 'utilities'),
  );
  await utilities.start();
  const sim = createSimulationApp(
    { speed, startMs: Date.parse('2025-01-01T00:00:00Z'), tickMs, seed: 'bench', log },
    await mesh.client(0, 'simulation'),
  );
  process.on('message', (msg: { cmd: string }) => {
    if (msg.cmd === 'start') void sim.start();
    if (msg.cmd === 'stop') {
      void (async () => {
        await sim.stop();
        await new Promise((r) => setTimeout(r, 1000)); // the last events reach the observer
        process.send!({ done: true, delivered, utilities: utilities.stats.summary() });
        await utilities.stop();
        await mesh.stop();
        process.exit(0);
      })();
    }
  });
  process.send!({ ready: true, url: mesh.url(1), realm: REALM });
}

main().catch((err: unknown) => {
  process.stderr.write(`region-mesh failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
