/**
 * Client-facing protection (docs/protocol.md §2 validation, §3 realm token, §4 bounds): malformed and
 * oversized frames close only the offending connection, the realm and its token are checked at
 * HELLO, bad names are an error to that client only, and per-client limits hold. Raw connections
 * (the gateway's own transports, insecure) send what the client library never would.
 */
import type { Gateway, TransportName } from '../../gateway';
import { connect, GatewayError, type GatewayClient } from '../../gateway/client';
import { encodeFrame } from '../../gateway/protocol/frames';
import { M } from '../../gateway/protocol/messages';
import { REALM, startGateway, waitFor } from '../helpers/mesh';
import { RawClient } from '../helpers/raw-client';

jest.setTimeout(30_000);

const MAX_FRAME = 64 * 1024;

async function rejection(p: Promise<unknown>): Promise<GatewayError> {
  const err = await p.then(
    () => {
      throw new Error('expected a GatewayError, got success');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GatewayError);
  return err as GatewayError;
}

describe.each(['quic', 'tls'] as const)('protection over %s', (transport: TransportName) => {
  let gw: Gateway;
  let bystander: GatewayClient;
  const port = (): number => gw.listeners.get(transport)!.port;
  const raws: RawClient[] = [];
  const raw = async (): Promise<RawClient> => {
    const r = await RawClient.dial(transport, port());
    raws.push(r);
    return r;
  };

  beforeAll(async () => {
    gw = await startGateway('gw-guard', transport, {
      maxFrameBytes: MAX_FRAME,
      clientMaxSubscriptions: 3,
      clientMaxRegistrations: 2,
      token: 'realm-token-1',
    });
    bystander = await connect({
      url: gw.urls()[transport]!,
      realm: REALM,
      token: 'realm-token-1',
      insecure: true,
    });
  });
  afterEach(() => raws.splice(0).forEach((r) => r.destroy()));
  afterAll(async () => {
    await bystander?.close();
    await gw?.stop();
  });

  /** The bystander, connected all along, still publishes to itself and calls. */
  async function bystanderStillWorks(tag: string): Promise<void> {
    const got: string[] = [];
    const sub = await bystander.subscribe<string>(`test.guard.${tag}`, (p) => void got.push(p));
    await bystander.publish(`test.guard.${tag}`, tag, { ack: true });
    await waitFor(() => got.length === 1, 3000, `bystander event ${tag}`);
    await sub.unsubscribe();
  }

  it('closes a connection that sends garbage before HELLO, counts it, and nothing else is affected', async () => {
    const before = gw.stats.malformedFrames;
    const r = await raw();
    // A length prefix whose header length exceeds the body: not a frame.
    r.writeBytes(Buffer.from([0, 0, 0, 4, 0, 0, 0, 9, 1, 2, 3, 4]));
    await r.waitClosed();
    expect(gw.stats.malformedFrames).toBe(before + 1);
    await bystanderStillWorks('garbage');
  });

  it('closes a connection whose first frame is not HELLO', async () => {
    const before = gw.stats.malformedFrames;
    const r = await raw();
    r.send([M.SUBSCRIBE, 1, 'test.guard.x', null]);
    await r.waitClosed();
    expect(gw.stats.malformedFrames).toBe(before + 1);
    expect(r.ofType(M.SUBSCRIBED)).toEqual([]);
  });

  it('aborts a session with protocol_error on a malformed frame after HELLO', async () => {
    const before = gw.stats.malformedFrames;
    const r = await raw();
    expect((await r.hello(REALM, 'realm-token-1')).header[0]).toBe(M.WELCOME);
    // A well-framed header that is not a MessagePack array.
    const junk = Buffer.from([0xc1, 0xc1, 0xc1]);
    const frame = Buffer.alloc(8 + junk.length);
    frame.writeUInt32BE(junk.length, 0);
    frame.writeUInt32BE(junk.length, 4);
    junk.copy(frame, 8);
    r.writeBytes(frame);
    const abort = await r.waitFrame((f) => f.header[0] === M.ABORT, 'ABORT');
    expect(abort.header[1]).toBe('protocol_error');
    await r.waitClosed();
    expect(gw.stats.malformedFrames).toBe(before + 1);
    await bystanderStillWorks('after-malformed');
  });

  it('aborts a session with protocol_error on an unknown message type', async () => {
    const r = await raw();
    await r.hello(REALM, 'realm-token-1');
    r.send([63, 'what is this']);
    const abort = await r.waitFrame((f) => f.header[0] === M.ABORT, 'ABORT');
    expect(abort.header[1]).toBe('protocol_error');
    await r.waitClosed();
  });

  it('closes with frame_too_large a frame just over MAX_FRAME_BYTES', async () => {
    const before = gw.stats.malformedFrames;
    const r = await raw();
    await r.hello(REALM, 'realm-token-1');
    const head = encodeFrame([M.PUBLISH, 'test.guard.big', 9, false]);
    const headerBytes = head.length - 8;
    // Body (header + payload) of MAX_FRAME + 1 bytes: one byte over the configured bound. It asks
    // for an ack, so a gateway that wrongly accepts it says so with PUBLISHED.
    r.send([M.PUBLISH, 'test.guard.big', 9, false], Buffer.alloc(MAX_FRAME + 1 - headerBytes, 7));
    const reply = await r.waitFrame(
      (f) => f.header[0] === M.ABORT || f.header[0] === M.PUBLISHED,
      'ABORT frame_too_large',
    );
    expect(reply.header.slice(0, 2)).toEqual([M.ABORT, 'frame_too_large']);
    await r.waitClosed();
    expect(gw.stats.malformedFrames).toBe(before + 1);
  });

  it('closes with frame_too_large on a huge declared length, without waiting for the body', async () => {
    const r = await raw();
    await r.hello(REALM, 'realm-token-1');
    const prefix = Buffer.alloc(8);
    prefix.writeUInt32BE(1024 * 1024 * 1024, 0);
    prefix.writeUInt32BE(16, 4);
    r.writeBytes(prefix);
    const abort = await r.waitFrame((f) => f.header[0] === M.ABORT, 'ABORT frame_too_large');
    expect(abort.header[1]).toBe('frame_too_large');
    await r.waitClosed();
    await bystanderStillWorks('after-oversized');
  });

  it('accepts a frame exactly at MAX_FRAME_BYTES', async () => {
    const r = await raw();
    await r.hello(REALM, 'realm-token-1');
    const head = encodeFrame([M.PUBLISH, 'test.guard.fits', 1, false]);
    r.send([M.PUBLISH, 'test.guard.fits', 1, false], Buffer.alloc(MAX_FRAME - (head.length - 8), 7));
    const reply = await r.waitFrame(
      (f) => f.header[0] === M.PUBLISHED || f.header[0] === M.ABORT,
      'PUBLISHED',
    );
    expect(reply.header[0]).toBe(M.PUBLISHED);
  });

  it('refuses a wrong realm with no_such_realm', async () => {
    const err = await rejection(
      connect({
        url: gw.urls()[transport]!,
        realm: 'other.realm',
        token: 'realm-token-1',
        insecure: true,
        reconnect: false,
      }),
    );
    expect(err.code).toBe('no_such_realm');
  });

  it('refuses a missing or wrong realm token with unauthorized, accepts the right one', async () => {
    const url = gw.urls()[transport]!;
    const refusedBefore = gw.stats.refusedSessions;
    expect((await rejection(connect({ url, realm: REALM, insecure: true, reconnect: false }))).code).toBe(
      'unauthorized',
    );
    expect(
      (await rejection(connect({ url, realm: REALM, token: 'wrong', insecure: true, reconnect: false })))
        .code,
    ).toBe('unauthorized');
    expect(gw.stats.refusedSessions).toBe(refusedBefore + 2);
    const ok = await connect({ url, realm: REALM, token: 'realm-token-1', insecure: true, reconnect: false });
    await ok.publish('test.guard.token', 1, { ack: true });
    await ok.close();
  });

  it('answers a bad pattern, topic or procedure with invalid_argument to that client only, and keeps serving it', async () => {
    const r = await raw();
    await r.hello(REALM, 'realm-token-1');
    const bad: Array<[string, (id: number) => unknown[]]> = [
      ['empty segment pattern', (id) => [M.SUBSCRIBE, id, 'test..x', null]],
      ["'>' not last", (id) => [M.SUBSCRIBE, id, 'test.>.x', null]],
      ['non-string pattern', (id) => [M.SUBSCRIBE, id, 42, null]],
      ['wildcard in a published topic', (id) => [M.PUBLISH, 'test.*.x', id, false]],
      ['too long topic', (id) => [M.PUBLISH, `test.${'a'.repeat(300)}`, id, false]],
      ['bad procedure name', (id) => [M.REGISTER, id, 'test.proc with space']],
      ['bad called procedure', (id) => [M.CALL, id, '', 1000]],
    ];
    for (const [what, build] of bad) {
      const reply = await r.request(build);
      expect([what, reply.header[0], reply.header[2]]).toEqual([what, M.ERROR, 'invalid_argument']);
    }
    await r.ping();
    expect(r.closed).toBe(false);
    expect(r.ofType(M.ABORT)).toEqual([]);
    await bystanderStillWorks('after-bad-names');
  });

  it('enforces the per-client subscription and registration limits with limit_exceeded', async () => {
    const c = await connect({
      url: gw.urls()[transport]!,
      realm: REALM,
      token: 'realm-token-1',
      insecure: true,
      reconnect: false,
    });
    try {
      for (let i = 0; i < 3; i++) await c.subscribe(`test.limit.s${i}`, () => undefined);
      expect((await rejection(c.subscribe('test.limit.s3', () => undefined))).code).toBe('limit_exceeded');
      for (let i = 0; i < 2; i++) await c.register(`test.limit.p${i}`, () => i);
      expect((await rejection(c.register('test.limit.p2', () => 2))).code).toBe('limit_exceeded');
      // The limit is per client: another client still subscribes.
      await bystanderStillWorks('after-limit');
    } finally {
      await c.close();
    }
  });
});
