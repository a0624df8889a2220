/**
 * One behaviour suite for both transports (docs/protocol.md §1: the TLS fallback "must pass the same
 * test suite"). Everything runs over real sockets on loopback.
 */
import { createHash, randomBytes } from 'node:crypto';
import { listenerSecurity } from '../../gateway/transport/identity';
import type { Connection, Listener } from '../../gateway/transport/transport';
import {
  closeRecorder,
  connectPair,
  echoListener,
  HOST,
  identities,
  type Pair,
  receive,
  sleep,
  statsOf,
  transportCases,
} from './harness';

describe.each(transportCases)('$label transport', (tc) => {
  let pair: Pair | undefined;
  afterEach(async () => {
    pair?.client.destroy();
    await pair?.listener.close();
    pair = undefined;
  });

  it('delivers many small writes complete and in order', async () => {
    pair = await connectPair(tc);
    const count = 20_000;
    const expected = Buffer.alloc(count * 8);
    for (let i = 0; i < count; i++)
      expected.writeBigUInt64BE((BigInt(i) * 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn, i * 8);
    const got = receive(pair.server, expected.length);
    // Spread over several turns so that several flushes happen, some while a write is in flight.
    for (let turn = 0; turn < 20; turn++) {
      for (let i = turn * 1000; i < (turn + 1) * 1000; i++)
        pair.client.write(expected.subarray(i * 8, i * 8 + 8));
      await new Promise((r) => setImmediate(r));
    }
    expect((await got).equals(expected)).toBe(true);
  });

  it('carries several-MB payloads intact both ways', async () => {
    pair = await connectPair(tc);
    const payload = randomBytes(6 * 1024 * 1024);
    const atServer = receive(pair.server, payload.length);
    pair.client.write(payload);
    const received = await atServer;
    expect(createHash('sha256').update(received).digest('hex')).toBe(
      createHash('sha256').update(payload).digest('hex'),
    );
    const back = receive(pair.client, payload.length);
    // Echo in 64 KiB pieces: many writes, coalesced again on the way back.
    for (let off = 0; off < received.length; off += 65_536)
      pair.server.write(received.subarray(off, off + 65_536));
    expect((await back).equals(payload)).toBe(true);
  });

  it('writeFrame and write interleave in order across flushes, frames intact', async () => {
    pair = await connectPair(tc);
    // Expected byte stream: frames (prefix, head, payload) and raw chunks in call order.
    const parts: Buffer[] = [];
    const frame = (head: Buffer, payload: Buffer): Buffer => {
      const prefix = Buffer.alloc(8);
      prefix.writeUInt32BE(head.length + payload.length, 0);
      prefix.writeUInt32BE(head.length, 4);
      return Buffer.concat([prefix, head, payload]);
    };
    const head = Buffer.alloc(12);
    const payload = Buffer.alloc(4000);
    const calls: Array<() => void> = [];
    for (let i = 0; i < 3000; i++) {
      if (i % 7 === 3) {
        const raw = Buffer.alloc(5, i & 0xff);
        parts.push(raw);
        calls.push(() => pair!.client.write(raw));
      } else {
        // The same head and payload objects, refilled per call: writeFrame must copy them at once.
        const h = Buffer.alloc(12, (i * 3) & 0xff);
        const p = Buffer.alloc(200 + (i % 50) * 60, (i * 5) & 0xff); // crosses 64 KiB stages often
        parts.push(frame(h, p));
        calls.push(() => {
          h.copy(head);
          p.copy(payload);
          pair!.client.writeFrame(head.subarray(0, 12), payload.subarray(0, p.length));
          head.fill(0);
          payload.fill(0);
        });
      }
    }
    const expected = Buffer.concat(parts);
    const got = receive(pair.server, expected.length);
    // Several turns, so flushes happen while earlier stage regions are still being written.
    for (let turn = 0; turn < 30; turn++) {
      for (let i = turn * 100; i < (turn + 1) * 100; i++) calls[i]();
      if (turn % 3 === 0) await new Promise((r) => setImmediate(r));
    }
    expect((await got).equals(expected)).toBe(true);
  });

  it('writeFrame never rewrites bytes the transport may still hold (a backed-up connection)', async () => {
    pair = await connectPair(tc);
    // A large write first, so the frames after it wait behind it inside the transport.
    const big = randomBytes(16 * 1024 * 1024);
    const frames: Buffer[] = [];
    const got = receive(pair.server, big.length + 20 * 30 * 1008);
    pair.client.write(big);
    const head = Buffer.alloc(8);
    const payload = Buffer.alloc(992);
    for (let turn = 0; turn < 20; turn++) {
      // About 30 KB per turn: each flush hands over one region of the staging buffer.
      for (let i = 0; i < 30; i++) {
        head.fill(turn);
        payload.fill((turn * 31 + i) & 0xff);
        pair.client.writeFrame(head, payload);
        const f = Buffer.alloc(1008);
        f.writeUInt32BE(1000, 0);
        f.writeUInt32BE(8, 4);
        head.copy(f, 8);
        payload.copy(f, 16);
        frames.push(f);
      }
      await new Promise((r) => setImmediate(r));
    }
    const received = await got;
    expect(received.subarray(0, big.length).equals(big)).toBe(true);
    expect(received.subarray(big.length).equals(Buffer.concat(frames))).toBe(true);
  });

  it('coalesces the writes of one event-loop turn into one native write', async () => {
    pair = await connectPair(tc);
    const before = statsOf(pair.client).nativeWrites;
    const got = receive(pair.server, 1000 * 200);
    for (let i = 0; i < 1000; i++) pair.client.write(Buffer.alloc(200, i % 256));
    expect(statsOf(pair.client).nativeWrites).toBe(before); // nothing left synchronously
    await got;
    expect(statsOf(pair.client).nativeWrites - before).toBe(1);
  });

  it('the chunks of one coalesced write arrive whole and in the order written', async () => {
    pair = await connectPair(tc);
    // Separate allocations of different sizes, none adjacent to the next: the write hands them
    // over as a list (ngtcp2) or joined (the others).
    const chunks = Array.from({ length: 300 }, (_, i) => randomBytes(1 + ((i * 37) % 700)));
    const expected = Buffer.concat(chunks);
    const got = receive(pair.server, expected.length);
    for (const c of chunks) pair.client.write(c);
    expect((await got).equals(expected)).toBe(true);
  });

  it('counts pendingBytes until handed over, then calls onDrain once', async () => {
    pair = await connectPair(tc);
    let drains = 0;
    const drained = new Promise<void>((r) =>
      pair!.client.onDrain(() => {
        drains++;
        r();
      }),
    );
    const got = receive(pair.server, 500 * 200);
    for (let i = 0; i < 500; i++) pair.client.write(Buffer.alloc(200, 7));
    expect(pair.client.pendingBytes).toBe(500 * 200);
    await drained;
    expect(pair.client.pendingBytes).toBe(0);
    await got;
    await sleep(50);
    expect(drains).toBe(1);
  });

  it.each(['client', 'server'] as const)(
    'close() from the %s delivers queued bytes and reports onClose once on both ends',
    async (side) => {
      pair = await connectPair(tc);
      const closer = side === 'client' ? pair.client : pair.server;
      const other = side === 'client' ? pair.server : pair.client;
      const a = closeRecorder(closer);
      const b = closeRecorder(other);
      const last = randomBytes(300_000);
      const got = receive(other, last.length);
      closer.write(last);
      closer.close(); // before the per-turn flush: close must still send it first
      expect((await got).equals(last)).toBe(true);
      expect(await a.closed).toBeUndefined();
      expect(await b.closed).toBeUndefined();
      closer.close();
      closer.destroy();
      await sleep(100);
      expect(a.calls).toHaveLength(1);
      expect(b.calls).toHaveLength(1);
      // Writes after close are dropped and counted, never thrown.
      closer.write(Buffer.from('late'));
      expect(statsOf(closer).droppedAfterClose).toBe(4);
    },
  );

  it('destroy(err) reports that error locally and ends the other side', async () => {
    pair = await connectPair(tc);
    const local = closeRecorder(pair.client);
    const remote = closeRecorder(pair.server);
    const boom = new Error('boom');
    pair.client.destroy(boom);
    expect(await local.closed).toBe(boom);
    await remote.closed;
    await sleep(50);
    expect(local.calls).toHaveLength(1);
    expect(remote.calls).toHaveLength(1);
  });

  it('reports the listener identity as remoteIdentity, and the dialer identity to the listener', async () => {
    pair = await connectPair(tc);
    expect(pair.listener.identity).toBe(tc.identityOf(pair.serverId));
    expect(pair.client.remoteIdentity).toBe(pair.listener.identity);
    expect(pair.server.remoteIdentity).toBe(tc.identityOf(pair.clientId));
    expect(pair.client.remoteAddress).toBe(`${HOST}:${pair.listener.port}`);
    expect(pair.server.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('a listener close ends its connections and does not hang', async () => {
    pair = await connectPair(tc);
    const client = closeRecorder(pair.client);
    const server = closeRecorder(pair.server);
    const started = Date.now();
    await pair.listener.close();
    expect(Date.now() - started).toBeLessThan(3_000);
    expect((await server.closed)?.message).toBe(`${tc.name} listener closed`);
    await client.closed;
    await sleep(50);
    expect(client.calls).toHaveLength(1);
    expect(server.calls).toHaveLength(1);
  });

  it('dialing a closed port fails within the timeout with a clear error', async () => {
    const [serverId] = await identities();
    const listener = await echoListener(tc, serverId);
    const port = listener.port;
    await listener.close();
    const started = Date.now();
    await expect(
      tc.transport.dial({ host: HOST, port, security: tc.pinning(serverId), timeoutMs: 800 }),
    ).rejects.toThrow(new RegExp(`^${tc.name} dial 127\\.0\\.0\\.1:${port}`));
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('serves several connections on one listener independently', async () => {
    const [serverId, clientId] = await identities();
    const listener = await echoListener(tc, serverId);
    try {
      const conns = await Promise.all(
        [1, 2, 3].map(() =>
          tc.transport.dial({ host: HOST, port: listener.port, security: tc.pinning(serverId, clientId) }),
        ),
      );
      const echoes = conns.map((c, i) => {
        const p = receive(c, 1000);
        c.write(Buffer.alloc(1000, i + 1));
        return p;
      });
      const got = await Promise.all(echoes);
      got.forEach((buf, i) => expect(buf.equals(Buffer.alloc(1000, i + 1))).toBe(true));
      conns.forEach((c) => c.close());
    } finally {
      await listener.close();
    }
  });

  it('never calls a handler from inside onData/onClose; bytes sent at once after dial arrive after setup, in order', async () => {
    const [serverId, clientId] = await identities();
    const seen: { ready: boolean; bytes: string }[] = [];
    let serverConn: Connection | undefined;
    const gotAll = new Promise<void>((resolve) => {
      void tc.transport
        .listen({ host: HOST, port: 0, security: listenerSecurity(serverId) }, (conn) => {
          serverConn = conn;
          // Like a protocol layer that sets its handler in a constructor before its state is ready.
          let ready = false;
          conn.onData((d) => {
            seen.push({ ready, bytes: d.toString() });
            if (seen.map((s) => s.bytes).join('') === 'hello-world') resolve();
          });
          ready = true;
        })
        .then((l) => {
          listener = l;
          return tc.transport.dial({ host: HOST, port: l.port, security: tc.pinning(serverId, clientId) });
        })
        .then((client) => {
          dialed = client;
          // Same turn as the dial: on QUIC this rides in the same packet as the stream preamble.
          client.write(Buffer.from('hello'));
          setTimeout(() => client.write(Buffer.from('-world')), 20);
        });
    });
    let listener: Listener | undefined;
    let dialed: Connection | undefined;
    try {
      await gotAll;
      expect(seen.every((s) => s.ready)).toBe(true);
      const closes = closeRecorder(dialed!);
      dialed!.destroy();
      await closes.closed;
      let inside = true;
      let lateCalls = 0;
      dialed!.onClose(() => {
        expect(inside).toBe(false);
        lateCalls++;
      });
      inside = false;
      await sleep(10);
      expect(lateCalls).toBe(1);
    } finally {
      serverConn?.destroy();
      await listener?.close();
    }
  });

  it('works over IPv6 loopback', async () => {
    const [serverId, clientId] = await identities();
    const listener = await tc.transport.listen(
      { host: '::1', port: 0, security: listenerSecurity(serverId) },
      (c) => c.onData((d) => c.write(d)),
    );
    try {
      const conn = await tc.transport.dial({
        host: '::1',
        port: listener.port,
        security: tc.pinning(serverId, clientId),
      });
      const echo = receive(conn, 4);
      conn.write(Buffer.from('ping'));
      expect((await echo).toString()).toBe('ping');
      expect(conn.remoteAddress).toBe(`[::1]:${listener.port}`);
      conn.close();
    } finally {
      await listener.close();
    }
  });

  it('listening on a port in use fails with an error naming the address', async () => {
    const [serverId] = await identities();
    const first = await echoListener(tc, serverId);
    try {
      await expect(
        tc.transport.listen(
          { host: HOST, port: first.port, security: listenerSecurity(serverId) },
          () => undefined,
        ),
      ).rejects.toThrow(
        new RegExp(`^${tc.name} listen 127\\.0\\.0\\.1:${first.port} failed: .*(in use|EADDRINUSE)`, 'i'),
      );
    } finally {
      await first.close();
    }
  });

  it('listen without an identity fails with an error naming the missing setting', async () => {
    const [serverId] = await identities();
    const { certPem, keyPem, quicSeed } = listenerSecurity(serverId);
    const missing = tc.name === 'tls' ? { quicSeed } : { certPem, keyPem };
    await expect(
      tc.transport.listen({ host: HOST, port: 0, security: missing }, () => undefined),
    ).rejects.toThrow(
      tc.name === 'tls'
        ? /security\.certPem and security\.keyPem are required/
        : /security\.quicSeed is required/,
    );
  });
});
