/**
 * The flood itself, in a process of its own so that sealing and sending Initials never delays the
 * measuring client: `{ port, initials, seconds, sockets }` in, `{ rate }` (Initials sent per
 * second) out, one message per burst.
 */
import * as dgram from 'node:dgram';
import { Ngtcp2Transport } from '../../gateway/transport/ngtcp2';
import { captureInitial, sealInitial, type InitialTemplate } from '../../test/helpers/quic-initial';

interface Burst {
  port: number;
  initials: number;
  seconds: number;
  sockets: number;
}

/** Sends `count` Initials to `port` evenly over `seconds` in 10 ms ticks, round-robin over `sockets`. */
async function flood(template: InitialTemplate, sockets: dgram.Socket[], b: Burst): Promise<number> {
  const ticks = Math.max(1, Math.round((b.seconds * 1000) / 10));
  const started = Date.now();
  let sent = 0;
  for (let t = 0; t < ticks; t++) {
    const due = Math.round(((t + 1) * b.initials) / ticks);
    for (; sent < due; sent++)
      sockets[sent % sockets.length].send(sealInitial(template), b.port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, Math.max(0, started + (t + 1) * 10 - Date.now())));
  }
  return sent / ((Date.now() - started) / 1000);
}

async function main(): Promise<void> {
  const template = await captureInitial(new Ngtcp2Transport());
  let sockets: dgram.Socket[] = [];
  process.on('message', (m) => {
    const b = m as Burst;
    void (async () => {
      if (sockets.length !== b.sockets) {
        sockets.forEach((s) => s.close());
        sockets = await Promise.all(
          Array.from({ length: b.sockets }, async () => {
            const s = dgram.createSocket('udp4');
            s.on('message', () => undefined); // Retries and handshakes come back: read and ignore them
            await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
            return s;
          }),
        );
      }
      process.send!({ rate: await flood(template, sockets, b) });
    })();
  });
  process.on('disconnect', () => {
    sockets.forEach((s) => s.close());
    process.exit(0);
  });
  process.send!({ ready: true });
}

void main();
