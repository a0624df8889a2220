/**
 * A loopback relay in front of a gateway's port that a test can cut and restore, to simulate a
 * network partition of one mesh link (TCP for TLS, UDP for QUIC). While cut it blackholes traffic
 * (nothing is closed: the gateways must notice by themselves, as with a real partition).
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';

export interface LinkCutter {
  port: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function tcpCutter(targetPort: number): Promise<LinkCutter> {
  let cut = false;
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((down) => {
    if (cut) return down.destroy();
    const up = tcpConnect(targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [down, up];
    pairs.add(pair);
    const end = (): void => {
      pairs.delete(pair);
      down.destroy();
      up.destroy();
    };
    down.on('data', (d) => void (!cut && up.write(d)));
    up.on('data', (d) => void (!cut && down.write(d)));
    down.on('close', end).on('error', end);
    up.on('close', end).on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    cut: () => void (cut = true),
    restore: () => {
      // Connections that lived through the cut are dead to both gateways by now.
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      cut = false;
    },
    close: () => {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      return new Promise((r) => server.close(() => r()));
    },
  };
}

export async function udpCutter(targetPort: number): Promise<LinkCutter> {
  let cut = false;
  const front = createSocket('udp4');
  const upstreams = new Map<string, UdpSocket>();
  front.on('message', (msg, from) => {
    if (cut) return;
    const key = `${from.address}:${from.port}`;
    let up = upstreams.get(key);
    if (!up) {
      up = createSocket('udp4');
      up.on('message', (reply) => void (!cut && front.send(reply, from.port, from.address)));
      up.bind(0, '127.0.0.1');
      upstreams.set(key, up);
    }
    up.send(msg, targetPort, '127.0.0.1');
  });
  await new Promise<void>((r) => front.bind(0, '127.0.0.1', r));
  return {
    port: front.address().port,
    cut: () => void (cut = true),
    restore: () => void (cut = false),
    close: async () => {
      for (const up of upstreams.values()) up.close();
      await new Promise<void>((r) => front.close(() => r()));
    },
  };
}
