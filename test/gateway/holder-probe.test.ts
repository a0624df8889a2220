/**
 * What a session holds (a durable name, a procedure) when its process died without closing the
 * connection: the same client id asking again makes the gateway ping the holder, and a holder
 * silent for HOLDER_PROBE_MS is closed, so a restarted app takes over in about two seconds instead
 * of the transport's idle timeout (docs/protocol.md §5). A live holder answers and keeps it
 * (durable-owner.test.ts).
 */
import type { Gateway } from '../../gateway';
import type { GatewayClient } from '../../gateway/client';
import { HOLDER_PROBE_MS } from '../../gateway/core/session';
import { M } from '../../gateway/protocol/messages';
import { REALM, startGateway, tlsClientOf } from '../helpers/mesh';
import { RawTlsSocketClient } from '../helpers/raw-client';

jest.setTimeout(30_000);

const TOPIC = 'be.cortexiq.durable.probed';

/** Retries `attempt` every 200 ms while it is refused with already_exists; returns the refusals. */
async function untilFree(attempt: () => Promise<unknown>, started: number): Promise<number> {
  let refusals = 0;
  for (;;) {
    const err = await attempt().then(
      () => undefined,
      (e: unknown) => e,
    );
    if (err === undefined) return refusals;
    expect(err).toMatchObject({ code: 'already_exists' });
    refusals++;
    // Bounded: the probe closes the holder within HOLDER_PROBE_MS; seconds more is a failure.
    if (Date.now() - started > HOLDER_PROBE_MS + 4000) throw new Error('the silent holder kept it');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('a holder gone silent', () => {
  let gw: Gateway;
  const clients: GatewayClient[] = [];
  const raws: RawTlsSocketClient[] = [];

  const client = (clientId: string) => tlsClientOf(gw, clientId, clients);

  /** A session of `clientId` that does `setup`, then stops reading: alive to TCP, deaf to the gateway. */
  const deafSession = async (clientId: string, setup: (id: number) => unknown[]): Promise<void> => {
    const raw = await RawTlsSocketClient.dial(Number(new URL(gw.urls().tls!).port));
    raws.push(raw);
    await raw.hello(REALM, undefined, clientId);
    await raw.request(setup);
    raw.pause();
  };

  beforeAll(async () => {
    gw = await startGateway('gw-probe', 'tls');
  });
  afterAll(async () => {
    raws.forEach((r) => r.destroy());
    await Promise.all(clients.map((c) => c.close()));
    await gw.stop();
  });

  it('gives its durable name to its client id within the probe', async () => {
    await deafSession('crashed', (id) => [M.SUBSCRIBE, id, TOPIC, 'ledger']);
    const back = await client('crashed');
    const started = Date.now();
    const refusals = await untilFree(
      () => back.subscribe(TOPIC, () => undefined, { durable: 'ledger' }),
      started,
    );
    expect(refusals).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(HOLDER_PROBE_MS + 2000);
    expect(gw.durables.get('ledger')!.sessionId).toBe(back.sessionId);
  });

  it('gives its procedure to its client id within the probe, and calls reach the new one', async () => {
    await deafSession('callee', (id) => [M.REGISTER, id, 'be.cortexiq.probe.echo']);
    const back = await client('callee');
    const started = Date.now();
    await untilFree(
      () => back.register<number, number>('be.cortexiq.probe.echo', async (n) => n + 1),
      started,
    );
    expect(Date.now() - started).toBeLessThan(HOLDER_PROBE_MS + 2000);
    const caller = await client('caller');
    await expect(caller.call<number>('be.cortexiq.probe.echo', 41)).resolves.toBe(42);
  });

  it("never probes on another client id's behalf", async () => {
    await deafSession('keeper', (id) => [M.REGISTER, id, 'be.cortexiq.probe.kept']);
    const other = await client('someone-else');
    await expect(other.register('be.cortexiq.probe.kept', async () => 0)).rejects.toMatchObject({
      code: 'already_exists',
    });
    await new Promise((r) => setTimeout(r, HOLDER_PROBE_MS + 500)); // a negative: nothing may happen
    expect(gw.rpc.registrations.get('be.cortexiq.probe.kept')).toBeDefined();
  });
});
