/**
 * `npm run bench:transport`: one connection, 200-byte messages, 200k messages one way, for TLS,
 * QUIC (quinn, and ngtcp2 where its addon is built) and plain TCP (the reference) in the same run (docs/protocol.md §1 figures). Every transport
 * coalesces writes per event-loop turn through the same BaseConnection; the sender writes 1000
 * messages per turn and pauses above 1 MiB pending until onDrain. Rounds interleave the transports; the median is reported. Bounded: ROUNDS × MESSAGES.
 *
 * Options: --messages N (default 200000), --rounds N (default 3), --size BYTES (default 200).
 */
import * as net from 'node:net';
import { parseArgs } from 'node:util';
import { BaseConnection } from '../gateway/transport/base-connection';
import { devIdentity, listenerSecurity, type NodeIdentity } from '../gateway/transport/identity';
import { Ngtcp2Transport } from '../gateway/transport/ngtcp2';
import { ngtcp2Available } from '../gateway/transport/ngtcp2-native';
import { QuicTransport } from '../gateway/transport/quinn';
import { TlsTransport } from '../gateway/transport/tls';
import type { Connection, Listener } from '../gateway/transport/transport';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '3' },
    size: { type: 'string', default: '200' },
    trips: { type: 'string', default: '5000' },
  },
});
const MESSAGES = Math.min(Number(values.messages), 5_000_000);
const ROUNDS = Math.min(Number(values.rounds), 10);
const SIZE = Number(values.size);
const PER_TURN = 1000;
const HIGH_WATER = 1 << 20;
const ROUND_TIMEOUT_MS = 120_000;

/** Plain TCP with the same coalescing, as the reference line. */
class TcpConnection extends BaseConnection {
  readonly remoteAddress: string;
  readonly remoteIdentity = undefined;
  constructor(private readonly socket: net.Socket) {
    super();
    this.remoteAddress = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.emitData(d));
    socket.on('close', () => this.finish());
  }
  get pendingBytes(): number {
    return this.queuedBytes + this.socket.writableLength;
  }
  protected flush(): void {
    const buf = this.takeQueued();
    if (!buf) return;
    this.stats.nativeWrites++;
    this.socket.write(buf, () => this.checkDrain());
  }
  close(): void {
    this.flush();
    this.socket.end();
  }
  destroy(): void {
    this.socket.destroy();
  }
  rttMs(): undefined {
    return undefined;
  }
}

interface Setup {
  listen(onConn: (c: Connection) => void): Promise<Listener>;
  dial(port: number): Promise<Connection>;
}

function setups(id: NodeIdentity): Record<string, Setup> {
  const tls = new TlsTransport();
  const quic = new QuicTransport();
  const ngtcp2 = new Ngtcp2Transport();
  return {
    tcp: {
      listen: (onConn) =>
        new Promise((resolve) => {
          const server = net.createServer((s) => onConn(new TcpConnection(s)));
          server.listen(0, '127.0.0.1', () =>
            resolve({
              port: (server.address() as net.AddressInfo).port,
              identity: 'tcp',
              close: () => new Promise<void>((r) => server.close(() => r())),
            }),
          );
        }),
      dial: (port) =>
        new Promise((resolve, reject) => {
          const s = net.connect(port, '127.0.0.1', () => resolve(new TcpConnection(s)));
          s.once('error', reject);
        }),
    },
    tls: {
      listen: (onConn) => tls.listen({ host: '127.0.0.1', port: 0, security: listenerSecurity(id) }, onConn),
      dial: (port) => tls.dial({ host: '127.0.0.1', port, security: { pinned: [id.tlsFingerprint] } }),
    },
    quic: {
      listen: (onConn) => quic.listen({ host: '127.0.0.1', port: 0, security: listenerSecurity(id) }, onConn),
      dial: (port) => quic.dial({ host: '127.0.0.1', port, security: { pinned: [id.quicPeerId] } }),
    },
    ...(ngtcp2Available()
      ? {
          'quic-ngtcp2': {
            listen: (onConn) =>
              ngtcp2.listen({ host: '127.0.0.1', port: 0, security: listenerSecurity(id) }, onConn),
            dial: (port) => ngtcp2.dial({ host: '127.0.0.1', port, security: { pinned: [id.quicPeerId] } }),
          } satisfies Setup,
        }
      : {}),
  };
}

async function oneRound(setup: Setup): Promise<{ msgsPerS: number; nativeWrites: number }> {
  const total = MESSAGES * SIZE;
  let received = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const listener = await setup.listen((conn) =>
    conn.onData((chunk) => {
      received += chunk.byteLength;
      if (received >= total) done();
    }),
  );
  const conn = await setup.dial(listener.port);
  const msg = Buffer.alloc(SIZE, 0x61);
  const started = process.hrtime.bigint();
  let sent = 0;
  let waitingForDrain = false;
  const pump = (): void => {
    for (let i = 0; i < PER_TURN && sent < MESSAGES; i++, sent++) conn.write(msg);
    if (sent >= MESSAGES) return;
    if (conn.pendingBytes > HIGH_WATER) waitingForDrain = true;
    else setImmediate(pump);
  };
  conn.onDrain(() => {
    if (!waitingForDrain) return;
    waitingForDrain = false;
    pump();
  });
  pump();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    finished,
    new Promise(
      (_, reject) =>
        (timer = setTimeout(
          () => reject(new Error(`round timed out at ${received}/${total} bytes`)),
          ROUND_TIMEOUT_MS,
        )),
    ),
  ]).finally(() => clearTimeout(timer));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const nativeWrites = (conn as BaseConnection).stats.nativeWrites;
  conn.destroy();
  await listener.close();
  return { msgsPerS: MESSAGES / seconds, nativeWrites };
}

/**
 * Sequential round trips of one message through an echoing listener: the transport's own latency,
 * which bounds request/reply through gateways (each call crosses four connections).
 */
async function roundTrips(setup: Setup, count: number): Promise<{ p50: number; p99: number }> {
  const listener = await setup.listen((conn) => conn.onData((chunk) => conn.write(Buffer.from(chunk))));
  const conn = await setup.dial(listener.port);
  let answered: () => void = () => undefined;
  conn.onData(() => answered());
  const msg = Buffer.alloc(SIZE, 0x62);
  const times = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('round trip timed out after 5 s')), 5000);
      answered = () => {
        clearTimeout(timer);
        resolve();
      };
      conn.write(msg);
    });
    times[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  conn.destroy();
  await listener.close();
  times.sort();
  return { p50: times[Math.floor(count * 0.5)], p99: times[Math.floor(count * 0.99)] };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const id = await devIdentity({ commonName: 'bench' });
  const all = setups(id);
  console.log(
    `transport bench: ${MESSAGES} messages of ${SIZE} B, one connection, ${ROUNDS} interleaved rounds (median), Node ${process.version}`,
  );
  // Rounds interleave the transports so that load from other processes hits them alike.
  const rates: Record<string, number[]> = Object.fromEntries(Object.keys(all).map((n) => [n, []]));
  const writes: Record<string, number> = {};
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, setup] of Object.entries(all)) {
      const { msgsPerS, nativeWrites } = await oneRound(setup);
      rates[name].push(msgsPerS);
      writes[name] = nativeWrites;
    }
  }
  const results: Record<string, number> = {};
  for (const name of Object.keys(all)) {
    results[name] = median(rates[name]);
    const mbps = (results[name] * SIZE) / 1e6;
    console.log(
      `${name.padEnd(5)} ${Math.round(results[name]).toLocaleString('en').padStart(10)} msg/s  ${mbps.toFixed(1).padStart(6)} MB/s  ` +
        `${writes[name]} native writes (${(MESSAGES / writes[name]).toFixed(0)} msgs each)  rounds: ${rates[name].map((x) => Math.round(x / 1000) + 'k').join(' ')}`,
    );
  }
  console.log(
    `ratios: tls/tcp ${(results.tls / results.tcp).toFixed(2)}  quic/tcp ${(results.quic / results.tcp).toFixed(2)}  quic/tls ${(results.quic / results.tls).toFixed(2)}`,
  );
  const trips = Math.min(Number(values.trips), 100_000);
  console.log(`round trips: ${trips} sequential ${SIZE} B messages echoed by the listener`);
  for (const [name, setup] of Object.entries(all)) {
    const { p50, p99 } = await roundTrips(setup, trips);
    console.log(
      `${name.padEnd(5)} p50 ${p50.toFixed(0).padStart(5)} µs  p99 ${p99.toFixed(0).padStart(6)} µs`,
    );
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
