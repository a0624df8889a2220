/**
 * How the ngtcp2 listener admits new connections (docs/protocol.md, protection; RFC 9000 §8.1,
 * §21): Initials that would open connections past `retryAbove` half-open ones get a stateless
 * Retry instead of state; past the caps they are refused and counted; a half-open connection is
 * freed by the handshake timeout; and a real client still connects, with Retry on and off.
 * Counts, not timings: a bounded number of Initials from one socket on loopback.
 */
import * as dgram from 'node:dgram';
import { listenerSecurity } from '../../gateway/transport/identity';
import { Ngtcp2Transport } from '../../gateway/transport/ngtcp2';
import { ngtcp2Available } from '../../gateway/transport/ngtcp2-native';
import type { AdmissionCounters, ListenOptions, Listener } from '../../gateway/transport/transport';
import { waitFor } from '../helpers/mesh';
import { captureInitial, sealInitial, type InitialTemplate } from '../helpers/quic-initial';
import { echoOnce, HOST, identities } from './harness';

jest.setTimeout(60_000);

const quic = new Ngtcp2Transport();
/** Half-open connections outlive any loaded machine's test: only counts matter here. */
const patient = new Ngtcp2Transport({ handshakeTimeoutMs: 60_000, idleTimeoutMs: 60_000 });
const run = ngtcp2Available() ? describe : describe.skip;

run('QUIC admission (ngtcp2)', () => {
  let template: InitialTemplate;
  let udp: dgram.Socket;
  const listeners: Listener[] = [];

  beforeAll(async () => {
    template = await captureInitial(quic);
    udp = dgram.createSocket('udp4');
    udp.on('message', () => undefined); // Retries and server Initials: never answered
    await new Promise<void>((r) => udp.bind(0, HOST, r));
  });
  afterAll(async () => {
    udp.close();
    await Promise.all(listeners.map((l) => l.close()));
  });

  async function listen(options: Partial<ListenOptions>, transport = patient): Promise<Listener> {
    const [server] = await identities();
    const l = await transport.listen(
      { host: HOST, port: 0, security: listenerSecurity(server), ...options },
      (c) => c.onData((d) => c.write(d)),
    );
    listeners.push(l);
    return l;
  }
  const counters = (l: Listener): AdmissionCounters => l.admissionCounters!();

  async function flood(l: Listener, n: number): Promise<void> {
    for (let i = 0; i < n; i++)
      await new Promise<void>((resolve) => udp.send(sealInitial(template), l.port, HOST, () => resolve()));
    await waitFor(() => counters(l).initials >= n, 10_000, `${n} Initials at the listener`);
  }

  async function echoes(l: Listener): Promise<void> {
    expect(await echoOnce(quic, l.port)).toBe('ping');
  }

  it('keeps no state past retryAbove half-open connections: the rest get a Retry', async () => {
    const l = await listen({ quic: { retryAbove: 4 }, maxPendingHandshakes: 100 });
    await flood(l, 50);
    const c = counters(l);
    expect(c.halfOpen).toBe(4);
    expect(c.retries).toBe(46);
    expect(c.refusedHalfOpen + c.refusedPerAddress + c.refusedConnections).toBe(0);
    // A real client answers the Retry with its token and gets in.
    await echoes(l);
    expect(counters(l).retries).toBe(47);
  });

  it('with Retry always on, a real client connects', async () => {
    const l = await listen({ quic: { retryAbove: 0 } });
    await echoes(l);
    expect(counters(l).retries).toBe(1);
    expect(counters(l).halfOpen).toBe(0);
  });

  it('with Retry off, refuses past the per-address cap and frees half-open state at the handshake timeout', async () => {
    const l = await listen(
      {
        quic: { retryAbove: 1_000_000, maxHalfOpenPerAddress: 5 },
        maxPendingHandshakes: 100,
        handshakeTimeoutMs: 500,
      },
      quic,
    );
    await flood(l, 30);
    expect(counters(l)).toMatchObject({ halfOpen: 5, refusedPerAddress: 25, retries: 0 });
    await waitFor(
      () => counters(l).halfOpen === 0 && counters(l).connections === 0,
      10_000,
      'the handshake timeout',
    );
    await echoes(l);
    expect(counters(l).retries).toBe(0);
  });

  it('refuses past the global half-open cap', async () => {
    const l = await listen({
      quic: { retryAbove: 1_000_000, maxHalfOpenPerAddress: 1000 },
      maxPendingHandshakes: 8,
    });
    await flood(l, 20);
    expect(counters(l)).toMatchObject({ halfOpen: 8, refusedHalfOpen: 12 });
  });
});
