/**
 * The userspace delay-and-loss relay that `cortexiq fault delay` uses where the kernel has no netem
 * (launcher/netns/relay.ts), on loopback so it runs anywhere: QUIC-like datagrams and a TLS-like
 * byte stream on one port number, each held for the delay in each direction, datagrams dropped at
 * the loss rate, order kept.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { DelayLine, startRelay, type Relay } from '../../launcher/netns/relay';
import { waitFor } from '../helpers/mesh';

/** A port free for both UDP and TCP on loopback, with an echo server on each. */
async function echoServers(): Promise<{ port: number; close: () => Promise<void> }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const tcp = net.createServer((s) => s.pipe(s));
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    const port = (tcp.address() as net.AddressInfo).port;
    const udp = dgram.createSocket('udp4');
    udp.on('message', (m, from) => udp.send(m, from.port, from.address));
    const ok = await new Promise<boolean>((r) => {
      udp.once('error', () => r(false));
      udp.bind(port, '127.0.0.1', () => r(true));
    });
    const close = async () => {
      await new Promise<void>((r) => tcp.close(() => r()));
      if (ok) await new Promise<void>((r) => udp.close(() => r()));
    };
    if (ok) return { port, close };
    await close();
  }
  throw new Error('no port free for both UDP and TCP');
}

/** A port free for both UDP and TCP, for the relay to listen on. */
async function freePort(): Promise<number> {
  const s = await echoServers();
  await s.close();
  return s.port;
}

describe('DelayLine', () => {
  it('runs each action no sooner than the delay after it was queued, in order', async () => {
    const line = new DelayLine(40);
    const ran: { i: number; after: number }[] = [];
    for (let i = 0; i < 5; i++) {
      const queued = Date.now();
      line.push(() => ran.push({ i, after: Date.now() - queued }));
      await new Promise((r) => setTimeout(r, 5));
    }
    await waitFor(() => ran.length === 5, 5000, 'five actions');
    expect(ran.map((r) => r.i)).toEqual([0, 1, 2, 3, 4]);
    for (const r of ran) expect(r.after).toBeGreaterThanOrEqual(39); // timers may fire 1 ms early
  });
});

describe('relay', () => {
  let echo: { port: number; close: () => Promise<void> };
  let relay: Relay | undefined;

  beforeEach(async () => {
    echo = await echoServers();
  });

  afterEach(async () => {
    await relay?.close();
    relay = undefined;
    await echo.close();
  });

  const start = async (ms: number, lossPercent: number, random?: () => number) => {
    const port = await freePort();
    relay = await startRelay({
      listenHost: '127.0.0.1',
      port,
      targetHost: '127.0.0.1',
      targetPort: echo.port,
      ms,
      lossPercent,
      random,
    });
    return port;
  };

  it('delays datagrams both ways and keeps them all at 0 % loss', async () => {
    const port = await start(30, 0);
    const client = dgram.createSocket('udp4');
    const rtts: number[] = [];
    const sentAt = new Map<number, number>();
    client.on('message', (m) => rtts.push(Date.now() - sentAt.get(m.readUInt32BE(0))!));
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', r));
    for (let i = 0; i < 20; i++) {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(i);
      sentAt.set(i, Date.now());
      client.send(b, port, '127.0.0.1');
    }
    await waitFor(() => rtts.length === 20, 10_000, '20 echoes');
    client.close();
    expect(Math.min(...rtts)).toBeGreaterThanOrEqual(58); // 30 ms each way
    expect(relay!.stats).toEqual({ forwarded: 40, dropped: 0, connections: 0 });
  });

  it('drops datagrams at the loss rate', async () => {
    let n = 0;
    const port = await start(0, 50, () => (n++ % 2 === 0 ? 0.1 : 0.9)); // below 50 % every other time
    const client = dgram.createSocket('udp4');
    let echoes = 0;
    client.on('message', () => echoes++);
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', r));
    for (let i = 0; i < 10; i++) client.send(Buffer.from([i]), port, '127.0.0.1');
    // Every datagram, out or back, takes the next decision: 10 out (5 pass), then their 5 echoes.
    await waitFor(() => relay!.stats.forwarded + relay!.stats.dropped === 15, 10_000, '15 decisions');
    expect(relay!.stats).toEqual({ forwarded: 7, dropped: 8, connections: 0 });
    await waitFor(() => echoes === relay!.stats.forwarded - 5, 10_000, 'the echoes passed back');
    client.close();
  });

  it('delays a TCP stream both ways, bytes intact and in order', async () => {
    const port = await start(25, 100); // loss never applies to a byte stream
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (d) => chunks.push(d));
    await new Promise<void>((r) => socket.once('connect', () => r()));
    const t0 = Date.now();
    const sent = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
    socket.write(sent.subarray(0, 2000));
    socket.write(sent.subarray(2000));
    await waitFor(() => Buffer.concat(chunks).length === sent.length, 10_000, 'the echo');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(49);
    expect(Buffer.concat(chunks).equals(sent)).toBe(true);
    expect(relay!.stats.connections).toBe(1);
    socket.destroy();
  });
});
