/** TLS dial trust rules (gateway/transport/tls.ts header): CA chain, fingerprint pins, insecure. */
import * as net from 'node:net';
import { fingerprintPem, listenerSecurity } from '../../gateway/transport/identity';
import { TlsTransport } from '../../gateway/transport/tls';
import {
  PeerNotTrustedError,
  type Listener,
  type TransportSecurity,
} from '../../gateway/transport/transport';
import { echoListener, HOST, identities, transportCases } from './harness';
import { createTestCa, type TestCa } from './test-ca';

const tls = new TlsTransport();
const tlsCase = transportCases.find((c) => c.name === 'tls')!;

describe('TLS dial trust', () => {
  let meshCa: TestCa;
  let otherCa: TestCa;
  let caListener: Listener;
  let caLeaf: { certPem: string; keyPem: string };
  let devListener: Listener;

  beforeAll(async () => {
    meshCa = createTestCa('mesh-ca');
    otherCa = createTestCa('other-ca');
    caLeaf = meshCa.issue('gateway-a');
    caListener = await tls.listen(
      { host: HOST, port: 0, security: { ...caLeaf, requestClientCert: true } },
      (c) => c.onData((d) => c.write(d)),
    );
    const [serverId] = await identities();
    devListener = await echoListener(tlsCase, serverId);
  });
  afterAll(async () => {
    await caListener.close();
    await devListener.close();
  });

  const dial = (listener: Listener, security: TransportSecurity) =>
    tls.dial({ host: HOST, port: listener.port, security, timeoutMs: 3000 });

  it('accepts a server whose chain verifies against caPem, though the host name is not in its SAN', async () => {
    const conn = await dial(caListener, { caPem: meshCa.caPem });
    expect(conn.remoteIdentity).toBe(fingerprintPem(caLeaf.certPem));
    conn.close();
  });

  it('refuses a server that does not chain to caPem', async () => {
    await expect(dial(caListener, { caPem: otherCa.caPem })).rejects.toThrow(
      /does not chain to security\.caPem/,
    );
    await expect(dial(devListener, { caPem: meshCa.caPem })).rejects.toThrow(
      /does not chain to security\.caPem/,
    );
    await expect(dial(devListener, { caPem: meshCa.caPem })).rejects.toBeInstanceOf(PeerNotTrustedError);
  });

  it('with caPem and pinned, requires both', async () => {
    const [serverId] = await identities();
    await expect(
      dial(caListener, { caPem: meshCa.caPem, pinned: [serverId.tlsFingerprint] }),
    ).rejects.toBeInstanceOf(PeerNotTrustedError);
    await expect(
      dial(caListener, { caPem: meshCa.caPem, pinned: [serverId.tlsFingerprint] }),
    ).rejects.toThrow(/is not in security\.pinned/);
    const ok = await dial(caListener, { caPem: meshCa.caPem, pinned: [fingerprintPem(caLeaf.certPem)] });
    ok.close();
  });

  it('accepts a self-signed server by its pinned fingerprint, in plain or colon form', async () => {
    const [serverId] = await identities();
    const colon = serverId.tlsFingerprint.toUpperCase().replace(/(..)(?!$)/g, '$1:');
    for (const pin of [serverId.tlsFingerprint, colon]) {
      const conn = await dial(devListener, { pinned: [pin] });
      expect(conn.remoteIdentity).toBe(serverId.tlsFingerprint);
      conn.close();
    }
  });

  it('refuses a server whose fingerprint is not pinned', async () => {
    await expect(dial(devListener, { pinned: ['00'.repeat(32)] })).rejects.toThrow(
      /^tls dial 127\.0\.0\.1:\d+: server certificate [0-9a-f]{64} is not in security\.pinned$/,
    );
  });

  it('accepts anything with insecure: true, and refuses when no trust setting is given', async () => {
    const conn = await dial(caListener, { insecure: true });
    conn.close();
    await expect(dial(devListener, {})).rejects.toThrow(
      /refusing an unverified server; set security\.caPem, security\.pinned or security\.insecure/,
    );
    await expect(dial(devListener, { pinned: [] })).rejects.toThrow(/refusing an unverified server/);
  });

  it('gives the listener the client certificate fingerprint when it asked for one, and none otherwise', async () => {
    const [serverId, clientId] = await identities();
    const seen: (string | undefined)[] = [];
    const asking = await tls.listen(
      { host: HOST, port: 0, security: listenerSecurity(serverId, { requestClientCert: true }) },
      (c) => seen.push(c.remoteIdentity),
    );
    const notAsking = await tls.listen({ host: HOST, port: 0, security: listenerSecurity(serverId) }, (c) =>
      seen.push(c.remoteIdentity),
    );
    try {
      const withCert = { insecure: true, certPem: clientId.certPem, keyPem: clientId.keyPem };
      const a = await dial(asking, withCert);
      const b = await dial(asking, { insecure: true });
      const c = await dial(notAsking, withCert);
      for (let i = 0; i < 50 && seen.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
      expect(seen.sort()).toEqual([clientId.tlsFingerprint, undefined, undefined].sort());
      [a, b, c].forEach((x) => x.close());
    } finally {
      await asking.close();
      await notAsking.close();
    }
  });
});

describe('TLS handshake bounds', () => {
  it('a dial to a TCP server that never speaks TLS times out with a clear error', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, HOST, r));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const started = Date.now();
      await expect(
        tls.dial({ host: HOST, port, security: { insecure: true }, timeoutMs: 300 }),
      ).rejects.toThrow(`tls dial 127.0.0.1:${port}: timed out after 300 ms`);
      // A network failure is not a trust refusal: a client must not be told to change its trust settings.
      await expect(
        tls.dial({ host: HOST, port, security: { insecure: true }, timeoutMs: 100 }),
      ).rejects.not.toBeInstanceOf(PeerNotTrustedError);
      expect(Date.now() - started).toBeLessThan(1_500);
    } finally {
      silent.close();
    }
  });

  it('listener close does not wait for a client stuck before its handshake', async () => {
    const [serverId] = await identities();
    const listener = await echoListener(tlsCase, serverId);
    const raw = net.connect(listener.port, HOST);
    raw.on('error', () => undefined);
    await new Promise((r) => raw.once('connect', r));
    const started = Date.now();
    await listener.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    raw.destroy();
  });
});
