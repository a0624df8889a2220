/**
 * The apps' health server and metrics (docs/pulumi.md, App probes and metrics), in-process: readiness
 * from the client's connection events, the four routes over loopback HTTP, HEALTH_PORT parsing,
 * and each app's own figures read from a scenario on the in-memory bus.
 */
import { EventEmitter } from 'node:events';
import { createServer } from 'node:net';
import { ConfigError } from '../../apps/shared/env';
import {
  buildHealthServer,
  healthPortFromEnv,
  listenHealth,
  Readiness,
  type HealthEndpoint,
} from '../../apps/shared/health';
import { AppMetrics } from '../../apps/shared/metrics';
import { TOPICS } from '../../apps/shared/contract';
import { main as homesMain, registerMetrics as homesMetrics } from '../../apps/homes/main';
import { main as simulationMain, registerMetrics as simulationMetrics } from '../../apps/simulation/main';
import { main as utilitiesMain, registerMetrics as utilitiesMetrics } from '../../apps/utilities/main';
import { FakeBus } from './fake-bus';
import { metric } from './metric-value';
import { SPEED, startScenario } from './scenario';

function fakeClient() {
  const events = new EventEmitter();
  return {
    on: (e: string, l: (d?: unknown) => void) => void events.on(e, l),
    emit: (e: string) => events.emit(e),
  };
}

describe('readiness', () => {
  it('is starting until the app has started, then follows disconnected/reconnected, then stopping', () => {
    const client = fakeClient();
    const r = new Readiness().watch(client);
    expect(r.state).toBe('starting');
    client.emit('disconnected');
    client.emit('reconnected');
    expect(r.ready).toBe(false);
    r.markStarted();
    expect(r.state).toBe('ready');
    client.emit('disconnected');
    expect(r.state).toBe('reconnecting');
    expect(r.ready).toBe(false);
    client.emit('reconnected');
    expect(r.ready).toBe(true);
    r.markStopping();
    client.emit('reconnected');
    expect(r.state).toBe('stopping');
  });
});

describe('health server routes', () => {
  const client = fakeClient();
  const readiness = new Readiness().watch(client);
  const metrics = new AppMetrics('test-app', { processMetrics: false });
  metrics.counter('cortexiq_test_things_total', 'Things', () => 7);
  let clock = 1_000;
  // Over loopback HTTP: fastify's inject needs an ESM module that jest cannot load here.
  let endpoint: HealthEndpoint;
  beforeAll(async () => {
    const server = buildHealthServer({
      app: 'test-app',
      readiness,
      registry: metrics.registry,
      now: () => clock,
    });
    endpoint = await listenHealth(server, 0, '127.0.0.1');
  });
  afterAll(() => endpoint.close());
  const get = async (path: string) => {
    const res = await fetch(endpoint.url + path);
    const body = await res.text();
    return { statusCode: res.status, headers: res.headers, body, json: () => JSON.parse(body) as unknown };
  };

  it('/live answers 200 whatever the connection', async () => {
    client.emit('disconnected');
    const res = await get('/live');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'alive' });
    client.emit('reconnected');
  });

  it('/ready is 503 while starting, 200 once started, 503 while reconnecting', async () => {
    let res = await get('/ready');
    expect([res.statusCode, res.json()]).toEqual([503, { status: 'starting' }]);
    readiness.markStarted();
    res = await get('/ready');
    expect([res.statusCode, res.json()]).toEqual([200, { status: 'ready' }]);
    client.emit('disconnected');
    res = await get('/ready');
    expect([res.statusCode, res.json()]).toEqual([503, { status: 'reconnecting' }]);
    client.emit('reconnected');
    expect((await get('/ready')).statusCode).toBe(200);
  });

  it('/health summarises app, readiness and uptime', async () => {
    clock += 42_000;
    const res = await get('/health');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', app: 'test-app', ready: true, uptime_s: 42 });
  });

  it('/metrics serves the app registry in the Prometheus text format, labelled with the app', async () => {
    const res = await get('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(res.body).toContain('# TYPE cortexiq_test_things_total counter');
    expect(res.body).toContain('cortexiq_test_things_total{app="test-app"} 7');
  });

  it('unknown paths are 404', async () => {
    expect((await get('/nope')).statusCode).toBe(404);
  });
});

describe('HEALTH_PORT', () => {
  it('defaults to 9090; 0 turns the server off; any port 1..65535 is taken', () => {
    expect(healthPortFromEnv({})).toBe(9090);
    expect(healthPortFromEnv({ HEALTH_PORT: '' })).toBe(9090);
    expect(healthPortFromEnv({ HEALTH_PORT: '0' })).toBeUndefined();
    expect(healthPortFromEnv({ HEALTH_PORT: ' 8081 ' })).toBe(8081);
  });

  it.each(['abc', '-1', '65536', '90.5'])('rejects %j naming the variable and the range', (raw) => {
    expect(() => healthPortFromEnv({ HEALTH_PORT: raw })).toThrow(ConfigError);
    expect(() => healthPortFromEnv({ HEALTH_PORT: raw })).toThrow(
      `HEALTH_PORT: expected an integer from 0 to 65535, got ${JSON.stringify(raw)}`,
    );
  });

  it.each([
    ['simulation', simulationMain],
    ['homes', homesMain],
    ['utilities', utilitiesMain],
  ])('the %s app stops at start on a bad HEALTH_PORT, before it connects', async (_name, main) => {
    // Nothing listens at MACULA_URL: had the app tried to connect first, the error would be another.
    const env = {
      MACULA_URL: 'tls://127.0.0.1:9',
      MACULA_TLS_INSECURE: '1',
      REGION: 'antwerp',
      HEALTH_PORT: 'abc',
    };
    await expect(main(env)).rejects.toThrow('HEALTH_PORT: expected an integer from 0 to 65535, got "abc"');
  });

  it('a port in use is a configuration error naming HEALTH_PORT', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const server = buildHealthServer({
      app: 'x',
      readiness: new Readiness(),
      registry: new AppMetrics('x', { processMetrics: false }).registry,
    });
    try {
      await expect(listenHealth(server, port, '127.0.0.1')).rejects.toThrow(
        new RegExp(`HEALTH_PORT: cannot listen on 127\\.0\\.0\\.1:${port} \\(in use\\)`),
      );
      await expect(listenHealth(server, port, '127.0.0.1')).rejects.toBeInstanceOf(ConfigError);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});

describe("each app's metrics, from a scenario on the in-memory bus", () => {
  it('simulation: speed, paused, tick and simulated time; homes and utilities: ticks, durations, counts, malformed', async () => {
    const bus = new FakeBus();
    const s = await startScenario(
      {
        simulation: bus.client('simulation'),
        homes: bus.client('homes'),
        antwerp: bus.client('antwerp'),
        brabant: bus.client('brabant'),
        observer: bus.client('observer'),
      },
      async (sc) => {
        await bus.drain();
        await sc.homes.idle();
        await bus.drain();
      },
    );
    const sim = new AppMetrics('simulation', { processMetrics: false });
    const homes = new AppMetrics('homes-antwerp', { processMetrics: false });
    const utilities = new AppMetrics('utilities-antwerp', { processMetrics: false });
    simulationMetrics(s.sim, sim);
    homesMetrics(s.homes, homes);
    utilitiesMetrics(s.antwerp, utilities);

    expect(await metric(homes.registry, 'cortexiq_ticks_total')).toBe(0);
    await s.tick();
    await s.tick();
    bus.inject(TOPICS.timeAdvanced, { simulation_time: 'not a time' });
    await bus.drain();

    expect(await metric(sim.registry, 'cortexiq_simulation_speed')).toBe(SPEED);
    expect(await metric(sim.registry, 'cortexiq_simulation_paused')).toBe(0);
    expect(await metric(sim.registry, 'cortexiq_simulation_tick')).toBe(2);
    expect(await metric(sim.registry, 'cortexiq_simulation_time_seconds')).toBe(s.sim.clock.simMs() / 1000);
    s.sim.clock.pause();
    expect(await metric(sim.registry, 'cortexiq_simulation_paused')).toBe(1);

    expect(await metric(homes.registry, 'cortexiq_ticks_total')).toBe(2);
    expect(await metric(homes.registry, 'cortexiq_homes')).toBe(3);
    expect(await metric(homes.registry, 'cortexiq_malformed_events_total')).toBe(1);
    expect(await metric(homes.registry, 'cortexiq_events_published_total')).toBe(
      s.homes.stats.summary().published,
    );
    expect(s.homes.stats.summary().published).toBeGreaterThan(3 * 2 * 2); // measured + traded per home per tick
    const p99 = await metric(homes.registry, 'cortexiq_tick_duration_seconds', { quantile: '0.99' });
    expect(p99).toBeCloseTo(s.homes.stats.summary().p99Ms / 1000, 9);
    expect(p99).toBeGreaterThan(0);
    // Only the Antwerp provider runs in this scenario.
    expect(await metric(homes.registry, 'cortexiq_market_offers')).toBe(1);
    expect(await metric(homes.registry, 'cortexiq_homes_on_contract')).toBe(
      s.homes.homes.filter((h) => h.contract).length,
    );

    expect(await metric(utilities.registry, 'cortexiq_ticks_total')).toBe(2);
    expect(await metric(utilities.registry, 'cortexiq_providers')).toBe(1);
    expect(await metric(utilities.registry, 'cortexiq_malformed_events_total')).toBe(1);
    expect(await metric(utilities.registry, 'cortexiq_provider_contracts')).toBe(
      s.antwerp.providers[0]!.contracts.size,
    );
    await s.stop();
  });
});
