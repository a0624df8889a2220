/**
 * RPC across the mesh (docs/protocol.md §2 RPC, §3 "RPC"; error codes docs/protocol.md §2 (error codes)): calls from every
 * gateway to procedures registered at the others, result and error propagation, no_such_procedure,
 * already_exists (same gateway and realm-wide), timeouts, `unavailable` when the serving gateway
 * goes away mid-call, and unregistration realm-wide. Real gateways, both transports.
 */
import { GatewayError, type GatewayClient } from '../../gateway/client';
import type { Gateway } from '../../gateway';
import { connect } from '../../gateway/client';
import { crashClient } from '../helpers/crash';
import { tcpCutter, udpCutter } from '../helpers/link-cutter';
import {
  REALM,
  procedurePropagated,
  startGateway,
  startMesh,
  waitFor,
  type Layout,
  type TestMesh,
} from '../helpers/mesh';

jest.setTimeout(30_000);

/** The GatewayError a promise rejects with (fails the test if it resolves or rejects otherwise). */
async function rejection(p: Promise<unknown>): Promise<GatewayError> {
  const err = await p.then(
    (v) => {
      throw new Error(`expected a GatewayError, got result ${JSON.stringify(v)}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GatewayError);
  return err as GatewayError;
}

const never = (): Promise<never> => new Promise<never>(() => undefined);

describe.each(['quic', 'tls'] as const)('RPC over %s', (transport) => {
  describe.each<[Layout, number]>([
    ['full', 6],
    ['ring', 4],
  ])('%s layout of 4 gateways', (layout, links) => {
    let mesh: TestMesh;
    const callers: GatewayClient[] = [];

    beforeAll(async () => {
      mesh = await startMesh(4, layout, transport);
      await mesh.converged(links);
      for (let i = 0; i < 4; i++) callers.push(await mesh.client(i, `caller${i}`));
    });
    afterAll(() => mesh?.stop());

    it('serves a call from every gateway to a procedure registered at each other gateway', async () => {
      for (let k = 0; k < 4; k++) {
        const callee = await mesh.client(k, `callee${k}`);
        await callee.register<{ n: number; from: number }, unknown>(
          `test.rpc.${layout}.echo${k}`,
          (args, meta) => ({ servedBy: k, n: args.n * 2, from: args.from, caller: meta.caller }),
        );
      }
      for (let k = 0; k < 4; k++) await procedurePropagated(mesh, `test.rpc.${layout}.echo${k}`);
      for (let i = 0; i < 4; i++) {
        for (let k = 0; k < 4; k++) {
          if (k === i) continue;
          const r = await callers[i].call<{ servedBy: number; n: number; from: number; caller: string }>(
            `test.rpc.${layout}.echo${k}`,
            { n: 10 * i + k, from: i },
          );
          expect(r).toEqual({ servedBy: k, n: 2 * (10 * i + k), from: i, caller: callers[i].sessionId });
        }
      }
    });

    it('propagates a GatewayError thrown by the handler with its code and message, and a plain Error as internal', async () => {
      const callee = await mesh.client(2);
      await callee.register(`test.rpc.${layout}.fails`, (args: { plain: boolean }) => {
        if (args.plain) throw new Error('plain failure');
        throw new GatewayError('invalid_argument', 'month must be 1..12');
      });
      await procedurePropagated(mesh, `test.rpc.${layout}.fails`);
      const typed = await rejection(callers[0].call(`test.rpc.${layout}.fails`, { plain: false }));
      expect(typed.code).toBe('invalid_argument');
      expect(typed.message).toBe('month must be 1..12');
      const plain = await rejection(callers[3].call(`test.rpc.${layout}.fails`, { plain: true }));
      expect(plain.code).toBe('internal');
    });

    it('answers no_such_procedure for a procedure nobody registered', async () => {
      const err = await rejection(callers[1].call(`test.rpc.${layout}.nobody`, {}));
      expect(err.code).toBe('no_such_procedure');
    });

    it('refuses a second registration with already_exists, at the same gateway and at another after propagation', async () => {
      const proc = `test.rpc.${layout}.unique`;
      const first = await mesh.client(1);
      await first.register(proc, () => 'first');
      const sameGateway = await mesh.client(1);
      expect((await rejection(sameGateway.register(proc, () => 'second'))).code).toBe('already_exists');
      await procedurePropagated(mesh, proc);
      for (const g of [0, 2, 3]) {
        const other = await mesh.client(g);
        expect((await rejection(other.register(proc, () => 'other'))).code).toBe('already_exists');
      }
      // The original registration still serves every caller.
      for (let i = 0; i < 4; i++) expect(await callers[i].call(proc)).toBe('first');
    });

    it('fails with timeout (from the gateway, near timeoutMs) when the handler never answers', async () => {
      const proc = `test.rpc.${layout}.silent`;
      const callee = await mesh.client(2);
      await callee.register(proc, never);
      await procedurePropagated(mesh, proc);
      for (const from of [0, 2]) {
        const started = Date.now();
        const err = await rejection(callers[from].call(proc, {}, { timeoutMs: 300 }));
        const elapsed = Date.now() - started;
        expect(err.code).toBe('timeout');
        // The gateway's own timeout, not the client library's fallback one second later.
        expect(err.message).toMatch(/timed out after 300 ms/);
        expect(elapsed).toBeGreaterThanOrEqual(280);
        expect(elapsed).toBeLessThan(900);
      }
    });

    it('matches every answer to its call when many calls from all gateways are in flight at once', async () => {
      const proc = `test.rpc.${layout}.concurrent`;
      const callee = await mesh.client(1);
      // Answers in a shuffled order, so replies overtake each other on the way back.
      await callee.register<{ from: number; k: number }, string>(proc, async (args) => {
        await new Promise((r) => setTimeout(r, (args.k * 7) % 23));
        return `${args.from}:${args.k}`;
      });
      await procedurePropagated(mesh, proc);
      const calls: Array<Promise<string>> = [];
      for (let k = 0; k < 50; k++)
        for (let from = 0; from < 4; from++) calls.push(callers[from].call<string>(proc, { from, k }));
      const answers = await Promise.all(calls);
      expect(answers).toEqual(Array.from({ length: 200 }, (_, i) => `${i % 4}:${Math.floor(i / 4)}`));
    });

    it('fails a pending call with unavailable when the callee client drops its connection', async () => {
      const proc = `test.rpc.${layout}.callee-crash`;
      const callee = await connect({ url: mesh.url(3), realm: REALM, insecure: true, reconnect: false });
      let invoked = 0;
      await callee.register(proc, () => {
        invoked++;
        return never();
      });
      await procedurePropagated(mesh, proc);
      const started = Date.now();
      const pending = rejection(callers[1].call(proc, {}, { timeoutMs: 20_000 }));
      await waitFor(() => invoked === 1, 5000, 'the invocation');
      crashClient(callee);
      expect((await pending).code).toBe('unavailable');
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('removes an unregistered procedure realm-wide, so another gateway may register it', async () => {
      const proc = `test.rpc.${layout}.moving`;
      const callee = await mesh.client(3);
      const reg = await callee.register(proc, () => 'at gw3');
      await procedurePropagated(mesh, proc);
      expect(await callers[1].call(proc)).toBe('at gw3');
      await reg.unregister();
      await waitFor(
        () => mesh.gateways.every((g) => !g.rpc.registrations.has(proc) && !g.mesh.hasRemote(proc)),
        10_000,
        `${proc} gone everywhere`,
      );
      for (let i = 0; i < 4; i++)
        expect((await rejection(callers[i].call(proc))).code).toBe('no_such_procedure');
      const next = await mesh.client(1);
      await next.register(proc, () => 'at gw1');
      await procedurePropagated(mesh, proc);
      expect(await callers[3].call(proc)).toBe('at gw1');
    });
  });

  it('fails a call with unavailable, well before its timeout, when the serving gateway stops mid-call', async () => {
    const mesh = await startMesh(4, 'ring', transport);
    try {
      await mesh.converged(4);
      const callee = await mesh.client(2);
      let invoked = 0;
      await callee.register('test.rpc.vanishing', () => {
        invoked++;
        return never();
      });
      await procedurePropagated(mesh, 'test.rpc.vanishing');
      const caller = await mesh.client(0);
      const started = Date.now();
      const pending = rejection(caller.call('test.rpc.vanishing', {}, { timeoutMs: 20_000 }));
      await waitFor(() => invoked === 1, 5000, 'the invocation to reach the callee');
      await mesh.gateways[2].stop();
      const err = await pending;
      expect(err.code).toBe('unavailable');
      expect(Date.now() - started).toBeLessThan(8000);
      // And the procedure is gone from the rest of the realm.
      await waitFor(
        () => [0, 1, 3].every((i) => !mesh.gateways[i].mesh.hasRemote('test.rpc.vanishing')),
        10_000,
        'route gone',
      );
      expect((await rejection(caller.call('test.rpc.vanishing'))).code).toBe('no_such_procedure');
    } finally {
      await mesh.stop();
    }
  });

  it('fails a call with unavailable, well before its timeout, when the only link to the serving gateway is cut', async () => {
    // The callee stays up and connected: only the route vanishes (docs/protocol.md §3 "RPC").
    const a = await startGateway('gw-caller', transport);
    const port = a.listeners.get(transport)!.port;
    const cutter = transport === 'tls' ? await tcpCutter(port) : await udpCutter(port);
    let b: Gateway | undefined;
    const clients: GatewayClient[] = [];
    try {
      const scheme = transport === 'tls' ? 'tls' : 'https';
      b = await startGateway('gw-callee', transport, {
        meshPeers: [
          { transport, host: '127.0.0.1', port: cutter.port, url: `${scheme}://127.0.0.1:${cutter.port}` },
        ],
      });
      const callee = await connect({ url: b.urls()[transport]!, realm: REALM, insecure: true });
      const caller = await connect({ url: a.urls()[transport]!, realm: REALM, insecure: true });
      clients.push(callee, caller);
      let invoked = 0;
      await callee.register('test.rpc.partitioned', () => {
        invoked++;
        return never();
      });
      await waitFor(
        () => a.mesh.hasRemote('test.rpc.partitioned'),
        10_000,
        'procedure at the caller gateway',
      );
      const started = Date.now();
      const pending = rejection(caller.call('test.rpc.partitioned', {}, { timeoutMs: 20_000 }));
      await waitFor(() => invoked === 1, 5000, 'the invocation to reach the callee');
      cutter.cut();
      const err = await pending;
      expect(err.code).toBe('unavailable');
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await b?.stop();
      await a.stop();
      await cutter.close();
    }
  });
});
