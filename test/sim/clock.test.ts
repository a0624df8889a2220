/** The simulation clock and its RPCs (docs/domain.md, "The world"), on the in-memory bus. */
import { GatewayError } from '../../gateway/protocol/errors';
import { SimClock } from '../../apps/simulation/model/clock';
import { createSimulationApp } from '../../apps/simulation/app';
import { simulationConfigFromEnv } from '../../apps/simulation/config';
import { ConfigError } from '../../apps/shared/env';
import { createLogger } from '../../apps/shared/logger';
import { TOPICS } from '../../apps/shared/contract';
import { FakeBus } from './fake-bus';

const START = Date.parse('2025-01-01T00:00:00Z');

describe('SimClock', () => {
  it('keeps simulated time continuous across pause, resume and speed changes', () => {
    let real = 1000;
    const clock = new SimClock(START, 100, () => real);
    real += 10; // 10 ms × 100
    expect(clock.simMs()).toBe(START + 1000);
    clock.pause();
    real += 1000;
    expect(clock.simMs()).toBe(START + 1000);
    clock.resume();
    real += 5;
    expect(clock.simMs()).toBe(START + 1500);
    clock.setSpeed(1000);
    expect(clock.simMs()).toBe(START + 1500);
    real += 2;
    expect(clock.simMs()).toBe(START + 3500);
  });

  it('resets to its start date and tick 0', () => {
    let real = 0;
    const clock = new SimClock(START, 105120, () => real);
    real = 1000;
    clock.tick();
    clock.reset();
    expect(clock.state()).toMatchObject({ simulation_time: '2025-01-01T00:00:00.000Z', tick: 0 });
  });

  it('rejects speeds outside 1..10^7 and non-integers', () => {
    const clock = new SimClock(START, 1);
    for (const bad of [0, -1, 1.5, 10_000_001, Number.NaN])
      expect(() => clock.setSpeed(bad)).toThrow(RangeError);
  });
});

describe('simulation config', () => {
  const base = { MACULA_URL: 'https://127.0.0.1:9443' };
  it('has the defaults of docs/domain.md, "The world"', () => {
    expect(simulationConfigFromEnv(base)).toMatchObject({ speed: 105120, startMs: START, tickMs: 1000 });
  });
  it('names the variable and what was expected', () => {
    expect(() => simulationConfigFromEnv({ ...base, SIMULATION_START_DATE: '2025-13-45' })).toThrow(
      /SIMULATION_START_DATE: expected an ISO 8601 timestamp.*got "2025-13-45"/,
    );
    expect(() => simulationConfigFromEnv({ ...base, SIMULATION_SPEED: '0' })).toThrow(
      /SIMULATION_SPEED: expected an integer from 1 to 10000000/,
    );
    expect(() => simulationConfigFromEnv({ ...base, TICK_MS: 'fast' })).toThrow(ConfigError);
    expect(() => simulationConfigFromEnv({})).toThrow(/MACULA_URL: required/);
    expect(() => simulationConfigFromEnv({ ...base, MACULA_QUIC_PEER_ID: '12D3KooWnotreally' })).toThrow(
      /MACULA_QUIC_PEER_ID: expected libp2p Ed25519 peer ids \(12D3KooW…\), got '12D3KooWnotreally'/,
    );
  });
});

describe('simulation app RPCs', () => {
  let real = 0;
  const bus = new FakeBus();
  const app = createSimulationApp(
    {
      speed: 1000,
      startMs: START,
      tickMs: 1000,
      log: createLogger('test'),
      now: () => real,
      autoTick: false,
    },
    bus.client('simulation'),
  );
  const caller = bus.client('caller');
  beforeAll(() => app.start());
  afterAll(() => app.stop());

  it('ticks with simulation_time, previous time, speed, paused, tick and event_id', async () => {
    real += 1000;
    await app.tick();
    await bus.drain();
    const [tick] = bus.events(TOPICS.timeAdvanced);
    expect(tick).toMatchObject({
      simulation_time: '2025-01-01T00:16:40.000Z',
      previous_simulation_time: '2025-01-01T00:00:00.000Z',
      speed: 1000,
      paused: false,
      tick: 1,
    });
    expect(typeof tick.event_id).toBe('string');
  });

  it('pauses, resumes and changes speed with state_changed events', async () => {
    const paused = await caller.call<Record<string, unknown>>('be.cortexiq.simulation.pause');
    expect(paused).toMatchObject({ success: true, paused: true });
    real += 5000;
    const status = await caller.call<Record<string, unknown>>('be.cortexiq.simulation.status', {});
    expect(status.simulation_time).toBe(paused.simulation_time);
    await app.tick(); // ticks keep coming while paused
    await caller.call('be.cortexiq.simulation.resume');
    const sped = await caller.call<Record<string, unknown>>('be.cortexiq.simulation.set_speed', { speed: 5 });
    expect(sped).toMatchObject({ success: true, speed: 5, simulation_time: paused.simulation_time });
    await bus.drain();
    expect(bus.events(TOPICS.stateChanged).map((e) => e.change_type)).toEqual([
      'paused',
      'resumed',
      'speed_changed',
    ]);
    expect(bus.events(TOPICS.timeAdvanced)[1]).toMatchObject({ paused: true });
  });

  it('rejects a bad speed with invalid_argument', async () => {
    for (const args of [
      { speed: 0 },
      { speed: 1.5 },
      { speed: 10_000_001 },
      { speed: '10' },
      {},
      undefined,
    ]) {
      await expect(caller.call('be.cortexiq.simulation.set_speed', args)).rejects.toMatchObject({
        name: 'GatewayError',
        code: 'invalid_argument',
      });
    }
    await expect(caller.call('be.cortexiq.simulation.pause', { now: true })).rejects.toBeInstanceOf(
      GatewayError,
    );
  });

  it('reset restores SIMULATION_START_DATE and announces it', async () => {
    real += 10_000;
    const r = await caller.call<Record<string, unknown>>('be.cortexiq.simulation.reset');
    expect(r).toMatchObject({ success: true, simulation_time: '2025-01-01T00:00:00.000Z', tick: 0 });
    await bus.drain();
    expect(bus.events(TOPICS.reset).at(-1)).toMatchObject({ new_start_time: '2025-01-01T00:00:00.000Z' });
  });
});
