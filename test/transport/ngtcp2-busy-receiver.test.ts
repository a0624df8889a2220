/**
 * A receiver whose event loop is busy (docs/loss.md, "Slow consumers"; issue 15). On the ngtcp2
 * stack a peer acknowledges only when its event loop reaches the socket, so while it is busy the
 * round trip is milliseconds even on loopback, where the minimum RTT is ~0.2 ms. ngtcp2 0.12's
 * CUBIC caps its window at 2.89 x delivery rate x minimum RTT (~42 KB on a new connection) and so
 * sent one small window per turn of the receiver's loop: the subscriber of bench:gateway's naive
 * loop, sharing its process with the publisher, fell behind until its gateway queue overflowed.
 * The sender here is another process, as the gateway is; the default controller must open its
 * window well past that cap. With CUBIC, the default before, this test failed 6 of 6 runs (largest
 * window 42,134 bytes, once 84,010); the default (BBRv2) reached 0.6-1.4 MB.
 */
import { fork } from 'node:child_process';
import * as path from 'node:path';
import { listenerSecurity } from '../../gateway/transport/identity';
import { ngtcp2Available, type CongestionControl } from '../../gateway/transport/ngtcp2-native';
import { Ngtcp2Transport } from '../../gateway/transport/ngtcp2';
import type { Connection } from '../../gateway/transport/transport';
import { HOST, identities } from './harness';

jest.setTimeout(60_000);
const maybe = ngtcp2Available() ? it : it.skip;

/** ngtcp2 0.12's CUBIC cap before any delivery-rate sample raises it: 2.89 x its initial window. */
const CUBIC_CAP = Math.floor((14_520 * 289) / 100);
const TOTAL_BYTES = 8 * 1024 * 1024;
/** How long each turn of the receiver's event loop is away from the socket (other work). */
const BUSY_MS = 3;

function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    /* other work in the receiver's process: the event loop does not turn */
  }
}

/** The sender's largest congestion window while it sent TOTAL_BYTES to a busy receiver. */
async function largestWindow(cc: CongestionControl | ''): Promise<number> {
  const [serverId] = await identities();
  let received = 0;
  let finished = false;
  // The receiver's other work, once the bulk begins: every turn of its loop costs BUSY_MS.
  const busy = (): void => {
    if (finished) return;
    busyFor(BUSY_MS);
    setImmediate(busy);
  };
  const listener = await new Ngtcp2Transport().listen(
    { host: HOST, port: 0, security: listenerSecurity(serverId) },
    (conn: Connection) =>
      conn.onData((chunk) => {
        // Idle, it answers the sender's one-byte pings at once.
        if (received === 0 && chunk.byteLength === 1) return conn.write(Buffer.from(chunk));
        if (received === 0) busy();
        received += chunk.byteLength;
      }),
  );
  const child = fork(
    path.join(__dirname, 'fixtures/forwarding-sender.ts'),
    [String(listener.port), cc, String(TOTAL_BYTES)],
    { execArgv: ['--import', 'tsx'] },
  );
  try {
    const report = new Promise<{ largest?: number; error?: string }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { largest?: number; error?: string }));
      child.once('exit', (code) => reject(new Error(`sender exited (${code}) after ${received} bytes`)));
    });
    const { largest, error } = await report;
    if (error) throw new Error(`sender: ${error}`);
    return largest!;
  } finally {
    finished = true;
    child.kill('SIGKILL');
    await listener.close();
  }
}

maybe('the default congestion controller opens its window past CUBIC’s cap for a busy receiver', async () => {
  expect(await largestWindow('')).toBeGreaterThan(3 * CUBIC_CAP);
});
