/**
 * The simulation on real gateways (issue 4): three gateways on loopback (hub, Antwerp, Brabant). The
 * clock RPCs are called across the mesh; a Brabant provider's offer reaches Antwerp homes, which switch
 * to it through accept_offer routed across gateways, and `contract.switched` carries the savings and
 * the 20 % commission.
 */
import { TOPICS } from '../../apps/shared/contract';
import { interestPropagated, procedurePropagated, startMesh, waitFor, type TestMesh } from '../helpers/mesh';
import { REVIEW_TICKS, startScenario, type Scenario } from './scenario';

const HUB = 0;
const ANTWERP = 1;
const BRABANT = 2;

const TRANSPORTS = ['tls', 'quic'] as const;

describe.each(TRANSPORTS)('simulation on three real gateways (%s)', (transport) => {
  let mesh: TestMesh;
  let s: Scenario;

  beforeAll(async () => {
    mesh = await startMesh(3, 'full', transport);
    await mesh.converged(3);
    s = await startScenario(
      {
        simulation: await mesh.client(HUB, 'simulation'),
        observer: await mesh.client(HUB, 'observer'),
        homes: await mesh.client(ANTWERP, 'homes-antwerp'),
        antwerp: await mesh.client(ANTWERP, 'utilities-antwerp'),
        brabant: await mesh.client(BRABANT, 'utilities-brabant'),
      },
      async (sc, tick) => {
        await waitFor(
          () => sc.homes.stats.ticks >= tick && sc.antwerp.stats.ticks >= tick,
          10_000,
          `tick ${tick}`,
        );
        await sc.homes.idle();
        await new Promise((r) => setTimeout(r, 150)); // let offers and confirmations cross the mesh
      },
    );
    await interestPropagated(mesh, TOPICS.timeAdvanced, [ANTWERP]);
    await interestPropagated(mesh, TOPICS.contractProposed, [ANTWERP]);
    await procedurePropagated(mesh, 'be.cortexiq.simulation.set_speed');
  }, 30_000);

  afterAll(async () => {
    await s?.stop();
    await mesh?.stop();
  });

  it('clock RPCs work across the mesh: pause, resume, set_speed with validation, reset', async () => {
    const remote = await mesh.client(BRABANT, 'controller');
    const paused = await remote.call<Record<string, unknown>>('be.cortexiq.simulation.pause');
    expect(paused).toMatchObject({ success: true, paused: true, speed: 105120 });
    const resumed = await remote.call<Record<string, unknown>>('be.cortexiq.simulation.resume');
    expect(resumed).toMatchObject({ success: true, paused: false, simulation_time: paused.simulation_time });
    await expect(remote.call('be.cortexiq.simulation.set_speed', { speed: 0 })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await expect(remote.call('be.cortexiq.simulation.set_speed', { speed: 'fast' })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    expect(await remote.call('be.cortexiq.simulation.set_speed', { speed: 105120 })).toMatchObject({
      speed: 105120,
    });
    const reset = await remote.call<Record<string, unknown>>('be.cortexiq.simulation.reset');
    expect(reset).toMatchObject({ success: true, simulation_time: '2025-03-01T00:00:00.000Z', tick: 0 });
    await waitFor(
      () => s.of(TOPICS.stateChanged).length >= 3 && s.of(TOPICS.reset).length >= 1,
      5000,
      'clock events',
    );
    expect(s.of(TOPICS.stateChanged).map((e) => e.change_type)).toEqual([
      'paused',
      'resumed',
      'speed_changed',
    ]);
    expect(s.of(TOPICS.reset)[0]).toMatchObject({ new_start_time: '2025-03-01T00:00:00.000Z' });
  });

  it('an Antwerp home switches to a Brabant provider across gateways', async () => {
    // Offers go out on the first tick; first contracts are taken one tick after they were seen.
    for (let i = 0; i < 3; i++) await s.tick();
    expect(s.homes.homes.every((h) => h.contract?.provider_id === 'pricey')).toBe(true);

    await s.brabant.start();
    await procedurePropagated(mesh, 'be.cortexiq.provider.bargain.accept_offer');
    for (let i = 0; i < REVIEW_TICKS && s.of(TOPICS.contractSwitched).length < 3; i++) await s.tick();
    await waitFor(() => s.of(TOPICS.contractSwitched).length >= 3, 5000, 'contract.switched ×3');

    for (const e of s.of(TOPICS.contractSwitched)) {
      expect(e).toMatchObject({ old_provider_id: 'pricey', new_provider_id: 'bargain', discount: 20 });
      expect(e.gross_savings as number).toBeGreaterThan(50);
      expect(e.commission as number).toBeCloseTo(0.2 * (e.gross_savings as number), 2);
      expect(e.net_savings as number).toBeCloseTo((e.gross_savings as number) - (e.commission as number), 2);
    }
    // The offer came from Brabant, the homes are in Antwerp, the confirmation crossed back.
    expect(
      s.of(TOPICS.contractProposed).some((o) => o.provider_id === 'bargain' && o.region === 'brabant'),
    ).toBe(true);
    expect(s.of(TOPICS.contractConfirmed).filter((c) => c.provider_id === 'bargain')).toHaveLength(3);
    expect(s.homes.homes.every((h) => h.contract?.provider_id === 'bargain')).toBe(true);
    expect(s.brabant.providers[0].contracts.size).toBe(3);
    expect(s.homes.malformed.total).toBe(0);
  });
});
