/** QUIC-specific rules, on both stacks: peer-id pinning, the native loader, and loss of a silent peer. */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { devIdentity, listenerSecurity } from '../../gateway/transport/identity';
import { QuicTransport } from '../../gateway/transport/quinn';
import { Ngtcp2Transport } from '../../gateway/transport/ngtcp2';
import { ngtcp2Available } from '../../gateway/transport/ngtcp2-native';
import {
  platformSuffix,
  QUINN_DEFAULT_OPTIONS,
  quicPackageDir,
  type QuinnTuning,
} from '../../gateway/transport/quinn-native';
import {
  PeerNotTrustedError,
  type Connection,
  type Listener,
  type Transport,
} from '../../gateway/transport/transport';
import { closeRecorder, HOST, identities, receive } from './harness';

/** Both QUIC stacks obey the same trust rules and report a vanished peer the same way. */
const stacks: Array<[string, (tuning?: QuinnTuning) => Transport]> = [
  ['quinn', (tuning) => new QuicTransport(tuning)],
  ...(ngtcp2Available()
    ? [
        ['ngtcp2', (tuning?: QuinnTuning) => new Ngtcp2Transport(tuning)] as [
          string,
          (tuning?: QuinnTuning) => Transport,
        ],
      ]
    : []),
];

describe.each(stacks)('QUIC (%s) dial trust', (_stack, makeTransport) => {
  const quic = makeTransport();
  let listener: Listener;
  const accepted: Connection[] = [];
  beforeAll(async () => {
    const [serverId] = await identities();
    listener = await quic.listen({ host: HOST, port: 0, security: listenerSecurity(serverId) }, (c) =>
      accepted.push(c),
    );
  });
  afterAll(() => listener.close());

  it('accepts the pinned peer id', async () => {
    const [serverId] = await identities();
    const conn = await quic.dial({
      host: HOST,
      port: listener.port,
      security: { pinned: ['12D3KooWother', serverId.quicPeerId] },
    });
    expect(conn.remoteIdentity).toBe(serverId.quicPeerId);
    expect(conn.rttMs()).toEqual(expect.any(Number));
    conn.close();
  });

  it('refuses a listener whose peer id is not pinned, naming the peer id', async () => {
    const stranger = await devIdentity();
    const [serverId] = await identities();
    const refusal = quic.dial({
      host: HOST,
      port: listener.port,
      security: { pinned: [stranger.quicPeerId] },
    });
    await expect(refusal).rejects.toThrow(
      `quic dial 127.0.0.1:${listener.port}: peer id ${serverId.quicPeerId} is not in security.pinned`,
    );
    await expect(refusal).rejects.toBeInstanceOf(PeerNotTrustedError);
  });

  it('refuses to dial with neither pinned nor insecure, and accepts anything with insecure', async () => {
    const refusal = quic.dial({ host: HOST, port: listener.port, security: {} });
    await expect(refusal).rejects.toThrow(
      /refusing an unverified gateway; set security\.pinned \(peer ids\) or security\.insecure/,
    );
    await expect(refusal).rejects.toBeInstanceOf(PeerNotTrustedError);
    const conn = await quic.dial({ host: HOST, port: listener.port, security: { insecure: true } });
    conn.close();
  });

  it('the listener accepts any dialer identity and reports it (apps have ephemeral ones)', async () => {
    const before = accepted.length;
    const conn = await quic.dial({ host: HOST, port: listener.port, security: { insecure: true } });
    conn.write(Buffer.from('x'));
    for (let i = 0; i < 50 && accepted.length === before; i++) await new Promise((r) => setTimeout(r, 20));
    expect(accepted[before].remoteIdentity).toMatch(/^12D3KooW/);
    conn.close();
  });

  it('resolves host names as well as IP literals', async () => {
    const [serverId] = await identities();
    const conn = await quic.dial({
      host: 'localhost',
      port: listener.port,
      security: { pinned: [serverId.quicPeerId] },
    });
    conn.close();
  });
});

describe('quinn native loader', () => {
  it('keeps the copied defaults equal to the installed package defaultOptions', () => {
    const source = readFileSync(path.join(quicPackageDir(), 'dist/src/index.js'), 'utf8');
    const block = /defaultOptions = \{([^}]*)\}/.exec(source)?.[1] ?? '';
    const installed = Object.fromEntries(
      [...block.matchAll(/(\w+):\s*([\d_]+)/g)].map(([, k, v]) => [k, Number(v.replace(/_/g, ''))]),
    );
    expect(installed).toEqual({ ...QUINN_DEFAULT_OPTIONS });
  });

  it('picks the platform package like the package loader does', () => {
    expect(platformSuffix('linux', 'x64', false)).toBe('linux-x64-gnu');
    expect(platformSuffix('linux', 'arm64', true)).toBe('linux-arm64-musl');
    expect(platformSuffix('darwin', 'arm64', false)).toBe('darwin-arm64');
    expect(platformSuffix('win32', 'x64', false)).toBe('win32-x64-msvc');
  });

  it('rejects a keep-alive that is not below the idle timeout', () => {
    expect(() => new QuicTransport({ idleTimeoutMs: 1000, keepAliveMs: 1000 })).toThrow(
      'QUIC transport: keepAliveMs (1000) must be below idleTimeoutMs (1000)',
    );
  });
});

describe.each(stacks)('QUIC (%s) peer that vanishes', (stack, makeTransport) => {
  it('reports onClose once, with an error, after the idle timeout', async () => {
    const [serverId] = await identities();
    const transport = makeTransport({ idleTimeoutMs: 1_000, keepAliveMs: 300 });
    let resolveConn!: (c: Connection) => void;
    const accepted = new Promise<Connection>((r) => (resolveConn = r));
    const listener = await transport.listen(
      { host: HOST, port: 0, security: listenerSecurity(serverId) },
      resolveConn,
    );
    const child = fork(path.join(__dirname, 'fixtures/vanishing-peer.ts'), [String(listener.port), stack], {
      execArgv: ['--import', 'tsx'],
    });
    try {
      const ready = await new Promise((r) => child.once('message', r));
      expect(ready).toBe('ready');
      const conn = await accepted;
      const hello = receive(conn, 5);
      const closes = closeRecorder(conn);
      expect((await hello).toString()).toBe('hello');
      const killedAt = Date.now();
      child.kill('SIGKILL');
      const err = await closes.closed;
      expect(err?.message).toMatch(/^quic connection to 127\.0\.0\.1:\d+ lost\b.*idle timeout/);
      expect(Date.now() - killedAt).toBeGreaterThanOrEqual(800);
      expect(Date.now() - killedAt).toBeLessThan(5_000);
      await new Promise((r) => setTimeout(r, 100));
      expect(closes.calls).toHaveLength(1);
    } finally {
      child.kill('SIGKILL');
      await listener.close();
    }
  });
});
