/** Shared helpers for the transport tests: real listeners and dialers on loopback, both transports. */
import * as dgram from 'node:dgram';
import { BaseConnection, type ConnectionStats } from '../../gateway/transport/base-connection';
import { devIdentity, listenerSecurity, type NodeIdentity } from '../../gateway/transport/identity';
import { Ngtcp2Transport } from '../../gateway/transport/ngtcp2';
import { NGTCP2_ADDON, ngtcp2Available } from '../../gateway/transport/ngtcp2-native';
import { QuicTransport } from '../../gateway/transport/quinn';
import { TlsTransport } from '../../gateway/transport/tls';
import type { Connection, Listener, Transport, TransportSecurity } from '../../gateway/transport/transport';

export const HOST = '127.0.0.1';

export interface TransportCase {
  name: 'tls' | 'quic';
  /** Which implementation, for test titles: the two QUIC stacks share the name `quic`. */
  label: string;
  transport: Transport;
  /** What the listener presents as `identity` for this node identity. */
  identityOf(id: NodeIdentity): string;
  /** Dial security that trusts exactly this listener identity. */
  pinning(server: NodeIdentity, client?: NodeIdentity): TransportSecurity;
}

export const transportCases: TransportCase[] = [
  {
    name: 'tls',
    label: 'tls',
    transport: new TlsTransport(),
    identityOf: (id) => id.tlsFingerprint,
    pinning: (server, client) => ({
      pinned: [server.tlsFingerprint],
      certPem: client?.certPem,
      keyPem: client?.keyPem,
    }),
  },
  {
    name: 'quic',
    label: 'quic (quinn)',
    transport: new QuicTransport(),
    identityOf: (id) => id.quicPeerId,
    pinning: (server, client) => ({ pinned: [server.quicPeerId], quicSeed: client?.quicSeed }),
  },
];

// The ngtcp2 stack runs the same suite wherever its addon is built (always in CI: .ci/run).
if (ngtcp2Available()) {
  transportCases.push({
    name: 'quic',
    label: 'quic (ngtcp2)',
    transport: new Ngtcp2Transport(),
    identityOf: (id) => id.quicPeerId,
    pinning: (server, client) => ({ pinned: [server.quicPeerId], quicSeed: client?.quicSeed }),
  });
} else {
  console.warn(`ngtcp2 QUIC cases skipped: the addon is not built (${NGTCP2_ADDON}; npm run build:native)`);
}

let cached: Promise<[NodeIdentity, NodeIdentity]> | undefined;
/** Two identities reused across tests (RSA key generation costs ~0.3 s each). */
export function identities(): Promise<[NodeIdentity, NodeIdentity]> {
  return (cached ??= Promise.all([
    devIdentity({ commonName: 'server' }),
    devIdentity({ commonName: 'client' }),
  ]));
}

export interface Pair {
  listener: Listener;
  client: Connection;
  server: Connection;
  serverId: NodeIdentity;
  clientId: NodeIdentity;
}

/** A listener plus one dialed connection, with both ends in hand. */
export async function connectPair(tc: TransportCase, security?: TransportSecurity): Promise<Pair> {
  const [serverId, clientId] = await identities();
  let resolveServer!: (c: Connection) => void;
  const serverConn = new Promise<Connection>((r) => (resolveServer = r));
  const listener = await tc.transport.listen(
    { host: HOST, port: 0, security: listenerSecurity(serverId, { requestClientCert: true }) },
    resolveServer,
  );
  const client = await tc.transport.dial({
    host: HOST,
    port: listener.port,
    security: security ?? tc.pinning(serverId, clientId),
  });
  return { listener, client, server: await serverConn, serverId, clientId };
}

export function statsOf(conn: Connection): ConnectionStats {
  if (!(conn instanceof BaseConnection)) throw new Error('expected a transport connection');
  return conn.stats;
}

/** Resolves with everything received once `bytes` bytes arrived (takes the onData slot only). */
export function receive(conn: Connection, bytes: number, timeoutMs = 20_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const timer = setTimeout(
      () => reject(new Error(`received ${got} of ${bytes} bytes in ${timeoutMs} ms`)),
      timeoutMs,
    );
    conn.onData((chunk) => {
      chunks.push(Buffer.from(chunk));
      got += chunk.byteLength;
      if (got >= bytes) {
        clearTimeout(timer);
        resolve(Buffer.concat(chunks));
      }
    });
  });
}

/** Records every onClose call so tests can check it happened exactly once. */
export function closeRecorder(conn: Connection): {
  calls: (Error | undefined)[];
  closed: Promise<Error | undefined>;
} {
  const calls: (Error | undefined)[] = [];
  const closed = new Promise<Error | undefined>((resolve) =>
    conn.onClose((err) => {
      calls.push(err);
      resolve(err);
    }),
  );
  return { calls, closed };
}

/** A UDP socket bound to an ephemeral port on loopback: one side of a test's relay. */
export async function boundUdp(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, HOST, r));
  return s;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Dials `port` (trusting any identity) and checks one echo of 'one': a connection in use. */
export async function dialEchoed(tc: TransportCase, port: number): Promise<Connection> {
  const conn = await tc.transport.dial({ host: HOST, port, security: { insecure: true }, timeoutMs: 10_000 });
  conn.write(Buffer.from('one'));
  if ((await receive(conn, 3, 10_000)).toString() !== 'one') throw new Error('no echo of one');
  return conn;
}

/** Echoes everything back on every connection the listener accepts. */
export async function echoListener(tc: TransportCase, id: NodeIdentity): Promise<Listener> {
  return tc.transport.listen({ host: HOST, port: 0, security: listenerSecurity(id) }, (conn) =>
    conn.onData((d) => conn.write(d)),
  );
}

/** Dials an echoing listener at `port` (trusting any identity) and returns one round trip's reply. */
export async function echoOnce(transport: Transport, port: number, text = 'ping'): Promise<string> {
  const conn = await transport.dial({ host: HOST, port, security: { insecure: true }, timeoutMs: 10_000 });
  try {
    conn.write(Buffer.from(text));
    return (await receive(conn, Buffer.byteLength(text), 10_000)).toString();
  } finally {
    conn.destroy();
  }
}
