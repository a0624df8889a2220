/**
 * One procedure registered at two gateways at the same moment (docs/protocol.md, registrations):
 * both may accept it before either hears of the other, but once their advertisements cross the
 * gateway with the higher id withdraws its registration and tells its client, so exactly one
 * client serves every call from anywhere in the realm.
 */
import { GatewayError, type GatewayClient } from '../../gateway/client';
import { startMesh, waitFor, type TestMesh } from '../helpers/mesh';

jest.setTimeout(60_000);

const TRIALS = 5;

describe('registration race across two gateways', () => {
  let mesh: TestMesh;
  const clients: GatewayClient[][] = [];
  const errors: GatewayError[][] = [[], []];

  beforeAll(async () => {
    mesh = await startMesh(2, 'line', 'tls');
    await mesh.converged(1);
    for (let t = 0; t < TRIALS; t++) {
      const pair = [await mesh.client(0, `left${t}`), await mesh.client(1, `right${t}`)];
      pair.forEach((c, side) => c.on('error', (e) => errors[side].push(e as GatewayError)));
      clients.push(pair);
    }
  });
  afterAll(() => mesh?.stop());

  it('ends with exactly one registration; every call from either side reaches that one client', async () => {
    for (let t = 0; t < TRIALS; t++) {
      const procedure = `test.race.p${t}`;
      // Both sides register in the same event-loop turn, before any advertisement can cross.
      const outcomes = await Promise.allSettled(
        clients[t].map((c, side) => c.register(procedure, () => side)),
      );
      const accepted = outcomes.filter((o) => o.status === 'fulfilled').length;
      expect(accepted).toBeGreaterThanOrEqual(1);
      const holders = (): number => mesh.gateways.filter((g) => g.rpc.registrations.has(procedure)).length;
      await waitFor(
        () =>
          holders() === 1 &&
          mesh.gateways.every((g) => g.rpc.registrations.has(procedure) || g.mesh.hasRemote(procedure)),
        10_000,
        `one holder of ${procedure}, known to both gateways`,
      );
      const answers = new Set<number>();
      for (let i = 0; i < 10; i++)
        for (const caller of clients[t]) answers.add(await caller.call<number>(procedure));
      expect(answers.size).toBe(1);
      // Lower gateway id keeps it when both accepted.
      if (accepted === 2) {
        expect([...answers]).toEqual([0]);
        await waitFor(
          () => errors[1].some((e) => e.message.includes(`registration of ${procedure} withdrawn`)),
          5000,
          'the withdrawn client to be told',
        );
        expect(errors[1].find((e) => e.message.includes(procedure))?.code).toBe('already_exists');
      }
    }
  });
});
