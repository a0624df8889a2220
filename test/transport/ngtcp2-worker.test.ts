/**
 * The ngtcp2 addon in a worker thread (docs/protocol.md, transports): each endpoint runs on the
 * event loop of the environment that made it, and read buffers are per thread, so a worker's QUIC
 * echo works while the main thread runs its own. (On the default loop, a worker's timers and
 * sockets were driven by the main thread.)
 */
import { Worker } from 'node:worker_threads';
import { libp2pCertificate } from '../../gateway/transport/libp2p-cert';
import { NGTCP2_ADDON, ngtcp2Available } from '../../gateway/transport/ngtcp2-native';
import { newQuicSeed } from '../../gateway/transport/identity';
import { echoOnce, echoListener, identities, transportCases } from './harness';

jest.setTimeout(60_000);
const maybe = ngtcp2Available() ? it : it.skip;

/** Plain JS on the raw addon: a listener and a dialer in the worker, one echo between them. */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { Endpoint } = require(workerData.addon);
const base = { host: '127.0.0.1', certPem: workerData.certPem, keyPem: workerData.keyPem,
               idleMs: 10000, keepAliveMs: 5000, handshakeMs: 5000 };
const server = new Endpoint({ ...base, server: true, port: 0 }, (type, id, a) => {
  if (type === 2) server.write(id, a.subarray(a[0] === 0xc1 ? 1 : 0));   // echo, preamble stripped
});
let client;
client = new Endpoint({ ...base, server: false, port: 0, host: '0.0.0.0' }, (type, id, a) => {
  if (type === 1) client.write(id, Buffer.from([0xc1, 104, 105]));      // preamble + "hi"
  if (type === 2) { parentPort.postMessage(Buffer.from(a).toString()); client.shutdown(); server.shutdown(); }
  if (type === 4) parentPort.postMessage('closed: ' + a);
});
client.dial('127.0.0.1', server.port());
`;

maybe('a worker thread runs its own QUIC echo while the main thread runs one', async () => {
  const { certPem, keyPem } = libp2pCertificate(newQuicSeed());
  const worker = new Worker(WORKER, { eval: true, workerData: { addon: NGTCP2_ADDON, certPem, keyPem } });
  const fromWorker = new Promise<string>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const ngtcp2 = transportCases.find((c) => c.label === 'quic (ngtcp2)')!;
  const [server] = await identities();
  const listener = await echoListener(ngtcp2, server);
  try {
    const [inWorker, inMain] = await Promise.all([fromWorker, echoOnce(ngtcp2.transport, listener.port)]);
    expect(inWorker).toBe('hi');
    expect(inMain).toBe('ping');
  } finally {
    await listener.close();
    await worker.terminate();
  }
});
