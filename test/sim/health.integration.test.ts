/**
 * An app's health endpoint against a real gateway on loopback: `/ready` turns 200 once the simulation
 * app has registered its RPCs, 503 while the gateway is gone, and 200 again once the client has
 * reconnected and restored its registrations; `/metrics` carries the app's figures. Also: a start
 * that cannot connect leaves no health server behind.
 */
import { createServer } from 'node:net';
import { startApp, type RunningApp } from '../../apps/shared/lifecycle';
import { createLogger } from '../../apps/shared/logger';
import { createSimulationApp, type SimulationApp } from '../../apps/simulation/app';
import { registerMetrics } from '../../apps/simulation/main';
import { connect } from '../../gateway/client';
import type { Gateway } from '../../gateway/gateway';
import { REALM, startGateway } from '../helpers/mesh';
import { metric } from './metric-value';

const log = createLogger('health-test');

async function status(url: string): Promise<number> {
  return fetch(url).then(
    (r) => r.status,
    () => -1,
  );
}

async function waitForStatus(url: string, code: number, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if ((await status(url)) === code) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what} (${url} → ${code})`);
}

describe('simulation app health on a real gateway (tls)', () => {
  let gw: Gateway;
  let port: number;
  let running: RunningApp<SimulationApp>;

  beforeAll(async () => {
    gw = await startGateway('gw-health', 'tls');
    const url = gw.urls().tls!;
    port = Number(new URL(url).port);
    running = await startApp(
      'simulation',
      { url, realm: REALM, insecure: true },
      async (client, l) => {
        const app = createSimulationApp(
          {
            speed: 105_120,
            startMs: Date.parse('2025-01-01T00:00:00Z'),
            tickMs: 1000,
            log: l,
            autoTick: false,
          },
          client,
        );
        await app.start();
        return app;
      },
      { healthPort: 0, healthHost: '127.0.0.1', metrics: registerMetrics, log },
    );
  }, 20_000);

  afterAll(async () => {
    await running?.stop();
    await gw?.stop();
  });

  it('is ready once started, with its metrics on /metrics', async () => {
    const base = running.health!.url;
    expect(await status(`${base}/live`)).toBe(200);
    expect(await status(`${base}/ready`)).toBe(200);
    const text = await fetch(`${base}/metrics`).then((r) => r.text());
    expect(text).toContain('cortexiq_simulation_speed{app="simulation"} 105120');
    expect(text).toContain('cortexiq_ready{app="simulation"} 1');
    expect(text).toContain('cortexiq_process_resident_memory_bytes{app="simulation"}');
  });

  it('turns 503 while the gateway is gone and ready again after the client reconnected', async () => {
    const ready = `${running.health!.url}/ready`;
    await gw.stop();
    await waitForStatus(ready, 503, 'not ready after the gateway stopped');
    expect(await fetch(ready).then((r) => r.json())).toEqual({ status: 'reconnecting' });
    expect(await status(`${running.health!.url}/live`)).toBe(200);
    expect(await metric(running.metrics.registry, 'cortexiq_ready')).toBe(0);

    gw = await startGateway('gw-health', 'tls', { port });
    await waitForStatus(ready, 200, 'ready after the gateway came back');
    expect(await metric(running.metrics.registry, 'cortexiq_gateway_reconnects_total')).toBe(1);
    // Ready means the registrations are back: the clock answers through the new gateway.
    const caller = await connect({ url: gw.urls().tls!, realm: REALM, insecure: true });
    try {
      await expect(caller.call('be.cortexiq.simulation.status')).resolves.toMatchObject({ success: true });
    } finally {
      await caller.close();
    }
  }, 30_000);

  it('stop closes the health server', async () => {
    const base = running.health!.url;
    await running.stop();
    expect(await status(`${base}/live`)).toBe(-1);
  });
});

describe('a start that cannot connect', () => {
  it('fails and leaves no health server listening', async () => {
    // A port nothing listens on: take a free one and release it.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const dead = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const health = createServer();
    await new Promise<void>((r) => health.listen(0, '127.0.0.1', r));
    const healthPort = (health.address() as { port: number }).port;
    await new Promise((r) => health.close(r));

    await expect(
      startApp(
        'simulation',
        { url: `tls://127.0.0.1:${dead}`, realm: REALM, insecure: true },
        async () => ({ stop: async () => undefined }),
        { healthPort, healthHost: '127.0.0.1', log },
      ),
    ).rejects.toThrow();
    expect(await status(`http://127.0.0.1:${healthPort}/live`)).toBe(-1);
  }, 20_000);
});
