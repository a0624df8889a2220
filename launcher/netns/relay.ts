/**
 * The userspace path for delay and loss where the kernel has no netem: a relay inside one cluster's
 * namespace that takes over the far gateway's address there (fault.ts adds it to the loopback) and
 * forwards to the far gateway over the link's own addresses, holding every datagram or chunk for
 * `ms` and dropping datagrams with probability `lossPercent`. The gateways speak QUIC on UDP and TLS
 * on TCP on one port number, so the relay serves both. TCP is delayed only: a byte stream cannot lose
 * bytes (with netem the kernel would retransmit them, which shows as delay too).
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';

export interface RelayOptions {
  listenHost: string;
  port: number;
  targetHost: string;
  targetPort: number;
  ms: number;
  lossPercent: number;
  random?: () => number;
}

/** A FIFO of actions each due `ms` after it was queued; one timer, so order is kept. */
export class DelayLine {
  private readonly queue: { due: number; run: () => void }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ms: number) {}

  push(run: () => void): void {
    if (this.ms <= 0) return run();
    this.queue.push({ due: Date.now() + this.ms, run });
    if (!this.timer) this.arm();
  }

  close(): void {
    clearTimeout(this.timer);
    this.queue.length = 0;
  }

  private arm(): void {
    const head = this.queue[0];
    if (!head) return void (this.timer = undefined);
    this.timer = setTimeout(() => this.drain(), Math.max(0, head.due - Date.now()));
  }

  private drain(): void {
    const now = Date.now();
    while (this.queue.length > 0 && this.queue[0]!.due <= now) this.queue.shift()!.run();
    this.arm();
  }
}

export interface RelayStats {
  /** Datagrams passed on, either way. */
  forwarded: number;
  /** Datagrams dropped for the configured loss, either way. */
  dropped: number;
  /** TCP connections taken over. */
  connections: number;
}

export interface Relay {
  stats: RelayStats;
  close(): Promise<void>;
}

function udpRelay(o: RelayOptions, drop: () => boolean, stats: RelayStats): Promise<dgram.Socket> {
  const front = dgram.createSocket('udp4');
  const line = new DelayLine(o.ms);
  // One upstream socket per sender, so replies find their way back to the right one.
  const upstreams = new Map<string, dgram.Socket>();
  // Counts, then says whether to pass a datagram on.
  const pass = (): boolean => {
    if (drop()) {
      stats.dropped++;
      return false;
    }
    stats.forwarded++;
    return true;
  };
  front.on('message', (msg, from) => {
    const key = `${from.address}:${from.port}`;
    let up = upstreams.get(key);
    if (!up) {
      const socket = dgram.createSocket('udp4');
      socket.on('message', (reply) => {
        if (pass()) line.push(() => front.send(reply, from.port, from.address));
      });
      socket.on('error', () => undefined); // an unreachable far end (a cut link) is a lost datagram
      socket.bind(0);
      upstreams.set(key, (up = socket));
    }
    const upstream = up;
    if (pass()) line.push(() => upstream.send(msg, o.targetPort, o.targetHost));
  });
  front.on('error', () => undefined);
  front.on('close', () => {
    line.close();
    for (const u of upstreams.values()) u.close();
  });
  return new Promise((resolve, reject) => {
    front.once('error', reject);
    front.bind(o.port, o.listenHost, () => resolve(front));
  });
}

function tcpRelay(o: RelayOptions, stats: RelayStats): Promise<net.Server> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((down) => {
    stats.connections++;
    const up = net.connect(o.targetPort, o.targetHost);
    const toUp = new DelayLine(o.ms);
    const toDown = new DelayLine(o.ms);
    const end = () => {
      toUp.close();
      toDown.close();
      down.destroy();
      up.destroy();
      sockets.delete(down);
      sockets.delete(up);
    };
    sockets.add(down).add(up);
    down.on('data', (d) => toUp.push(() => up.write(d)));
    up.on('data', (d) => toDown.push(() => down.write(d)));
    down.on('close', end).on('error', end);
    up.on('close', end).on('error', end);
  });
  server.on('close', () => sockets.forEach((s) => s.destroy()));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.listenHost, () => resolve(server));
  });
}

export async function startRelay(o: RelayOptions): Promise<Relay> {
  const random = o.random ?? Math.random;
  const drop = () => o.lossPercent > 0 && random() * 100 < o.lossPercent;
  const stats: RelayStats = { forwarded: 0, dropped: 0, connections: 0 };
  const udp = await udpRelay(o, drop, stats);
  const tcp = await tcpRelay(o, stats).catch((err: unknown) => {
    udp.close();
    throw err;
  });
  return {
    stats,
    close: async () => {
      await Promise.all([
        new Promise<void>((r) => udp.close(() => r())),
        new Promise<void>((r) => tcp.close(() => r())),
      ]);
    },
  };
}
