/**
 * The gateway under flood, in a process of its own so that its RSS is its own: one gateway on QUIC
 * (the stack MACULA_QUIC_STACK picks, ngtcp2 by default; QUIC_RETRY_ABOVE applies), answering `{ rss, quic }` to an IPC
 * message (every 100 ms between 'watch' and 'unwatch'), where `quic` is its QUIC listener's flood
 * counters when the stack has them.
 */
import { startGateway } from '../../test/helpers/mesh';

async function main(): Promise<void> {
  // QUIC_RETRY_ABOVE from the environment, to measure the caps without Retry too.
  const retryAbove = process.env.QUIC_RETRY_ABOVE;
  const gw = await startGateway(
    'flood-target',
    'quic',
    retryAbove === undefined
      ? {}
      : {
          quicAdmission: {
            retryAbove: Number(retryAbove),
            maxHalfOpenPerAddress: 32,
            maxConnections: 10_000,
          },
        },
  );
  const listener = gw.listeners.get('quic')!;
  // An addon built before the admission counters has none (compare with one: run it in place).
  const counters = (): object => {
    try {
      return listener.admissionCounters?.() ?? {};
    } catch {
      return {};
    }
  };
  const report = (): void => {
    // With a callback, a send after the parent went away fails quietly instead of throwing.
    if (process.connected)
      process.send!({ rss: process.memoryUsage().rss, quic: counters() }, undefined, {}, () => undefined);
  };
  let watching: NodeJS.Timeout | undefined;
  process.on('message', (m) => {
    if (m === 'watch') watching = setInterval(report, 100);
    else if (m === 'unwatch') clearInterval(watching);
    else report();
  });
  process.send!({ ready: true, url: gw.urls().quic });
  process.on('disconnect', () => void gw.stop().then(() => process.exit(0)));
}

void main();
