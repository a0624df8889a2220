/**
 * The peer handshake is no oracle (docs/protocol.md, mesh trust): whoever reaches a gateway's port
 * and sends PEER_HELLO gets back no HMAC computed with MESH_SECRET, neither over its own nonce nor
 * after a PEER_AUTH with a wrong proof; it is refused. Real peers still link (mesh-auth.test.ts).
 */
import type { Gateway } from '../../gateway';
import { M } from '../../gateway/protocol/messages';
import { MESH_WIRE_VERSION } from '../../gateway/mesh/peer-handshake';
import { RawClient } from '../helpers/raw-client';
import { startGateway } from '../helpers/mesh';

jest.setTimeout(30_000);

/** Anything shaped like an HMAC-SHA256 in hex (what a proof is). */
const HEX_64 = /^[0-9a-f]{64}$/;

describe('PEER_HELLO from a stranger', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway('oracle-target', 'tls');
  });
  afterAll(() => gw.stop());

  it('gets a nonce and no proof; a guessed PEER_AUTH is refused without one either', async () => {
    const raw = await RawClient.dial('tls', gw.listeners.get('tls')!.port);
    try {
      const chosen = 'a'.repeat(32);
      raw.send([M.PEER_HELLO, 'stranger', 'test.realm', Date.now(), chosen, MESH_WIRE_VERSION]);
      const welcome = await raw.waitFrame((f) => f.header[0] === M.PEER_WELCOME, 'PEER_WELCOME');
      expect(welcome.header).toHaveLength(5);
      expect(welcome.header[4]).toBe(MESH_WIRE_VERSION);
      raw.send([M.PEER_AUTH, 'f'.repeat(64), 0, 0]);
      const abort = await raw.waitFrame((f) => f.header[0] === M.ABORT, 'ABORT');
      expect(abort.header[1]).toBe('unauthorized');
      expect(String(abort.header[2])).toContain('failed mesh authentication');
      const sent = raw.frames.flatMap((f) => f.header).filter((v) => typeof v === 'string');
      expect(sent.filter((v) => HEX_64.test(v as string))).toEqual([]);
      expect(raw.ofType(M.PEER_READY)).toEqual([]);
    } finally {
      raw.destroy();
    }
  });

  it('is refused, with the reason, when it speaks another mesh wire version or none', async () => {
    for (const version of [undefined, MESH_WIRE_VERSION + 1]) {
      const raw = await RawClient.dial('tls', gw.listeners.get('tls')!.port);
      try {
        const hello = [M.PEER_HELLO, 'older', 'test.realm', Date.now(), 'b'.repeat(32)];
        raw.send(version === undefined ? hello : [...hello, version]);
        const abort = await raw.waitFrame((f) => f.header[0] === M.ABORT, 'ABORT');
        expect(String(abort.header[2])).toContain(`mesh wire version ${version ?? '1 (unversioned)'}`);
        expect(raw.ofType(M.PEER_WELCOME)).toEqual([]);
      } finally {
        raw.destroy();
      }
    }
  });
});
