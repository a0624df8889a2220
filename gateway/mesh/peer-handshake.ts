/**
 * The peer handshake on one connection (docs/protocol.md §3), for either role:
 *
 *   dialer   → PEER_HELLO   {id, realm, epoch, nonce_d, wire version}
 *   acceptor → PEER_WELCOME {id, epoch, nonce_a, wire version}
 *   dialer   → PEER_AUTH    {proof over nonce_d + nonce_a, last seq received from the acceptor}
 *   acceptor → PEER_READY   {last seq received from the dialer, proof over nonce_d + nonce_a}
 *
 * The dialer proves first: the acceptor, which anyone who reaches its port can talk to, computes
 * no proof until the other side has proven it knows the secret. Otherwise a PEER_HELLO would get
 * back an HMAC over a nonce of the sender's choosing, material to guess a weak MESH_SECRET
 * offline. Both proofs cover both nonces, so neither side chooses all of what the other signs.
 * After it, both sides know who the other is and where to resume the link's sequence numbers.
 * Both sides must speak the same MESH_DATA layout: a peer of another wire version (or of none, from
 * before there was one) is refused, since it would read publications at the wrong offset.
 */
import type { Frame } from '../protocol/frames';
import { M } from '../protocol/messages';
import { encodeFrame } from '../protocol/frames';
import type { Connection } from '../transport/transport';
import { nonce, proof, verifyProof } from './auth';
import { normaliseFingerprint } from '../transport/fingerprint';

export interface HandshakeSelf {
  gatewayId: string;
  realm: string;
  epoch: number;
  secret: string | undefined;
  pinned: readonly string[];
  /** This gateway's identity on the connection's transport (QUIC peer id or TLS fingerprint). */
  localIdentity: string;
  /** What we last received from `peerId` in its epoch `peerEpoch` (0 when unknown). */
  lastReceived(peerId: string, peerEpoch: number): number;
}

export interface HandshakeResult {
  peerId: string;
  peerEpoch: number;
  /** Last sequence the peer received from us (in our current epoch). */
  peerReceived: number;
}

export class HandshakeError extends Error {}

/**
 * The MESH_DATA layout this gateway speaks (docs/protocol.md §3). 3: a publication's pubSeq in the
 * prefix (republish without duplicates, §2); 2: per-destination sequence numbers in the prefix
 * (in-order delivery); before it, unversioned.
 */
export const MESH_WIRE_VERSION = 3;

function versionMismatch(theirs: unknown): string | undefined {
  if (theirs === MESH_WIRE_VERSION) return undefined;
  const said = typeof theirs === 'number' ? String(theirs) : '1 (unversioned)';
  return `peer speaks mesh wire version ${said}, this gateway ${MESH_WIRE_VERSION}: every gateway of a mesh must run the same release`;
}

/** Drives one side of the handshake; `onFrame` is fed frames until it resolves. */
export class PeerHandshake {
  private myNonce = nonce();
  /** `nonce_d + nonce_a`, once both are known: what both proofs are computed over. */
  private nonces = '';
  private peerId = '';
  private peerEpoch = 0;
  private resolveDone!: (r: HandshakeResult) => void;
  private rejectDone!: (e: Error) => void;
  /** Set synchronously when the handshake ends (success or failure). */
  finished = false;
  readonly done: Promise<HandshakeResult>;

  constructor(
    private readonly conn: Connection,
    private readonly self: HandshakeSelf,
    private readonly role: 'dialer' | 'acceptor',
  ) {
    this.done = new Promise((res, rej) => {
      this.resolveDone = res;
      this.rejectDone = rej;
    });
    if (role === 'dialer')
      conn.write(
        encodeFrame([M.PEER_HELLO, self.gatewayId, self.realm, self.epoch, this.myNonce, MESH_WIRE_VERSION]),
      );
  }

  private resolve(r: HandshakeResult): void {
    this.finished = true;
    this.resolveDone(r);
  }

  private reject(e: Error): void {
    this.finished = true;
    this.rejectDone(e);
  }

  /** The other side's transport identity as this connection sees it. */
  private get remote(): string {
    return this.conn.remoteIdentity ?? '';
  }

  private fail(reason: string): void {
    this.conn.write(encodeFrame([M.ABORT, 'unauthorized', reason]));
    this.reject(new HandshakeError(reason));
  }

  /** Checks the peer's proof for `role`; refuses the peer (and says false) when it fails. */
  private peerProved(role: 'dialer' | 'acceptor', theirProof: unknown): boolean {
    const s = this.self;
    const expected = proof(
      s.secret,
      role,
      this.nonces,
      this.peerId,
      s.gatewayId,
      this.remote,
      s.localIdentity,
    );
    if (verifyProof(expected, theirProof)) return true;
    this.fail(`peer '${this.peerId}' failed mesh authentication (MESH_SECRET differs)`);
    return false;
  }

  private checkPeer(peerId: unknown, peerEpoch: unknown): boolean {
    if (typeof peerId !== 'string' || peerId.length === 0 || typeof peerEpoch !== 'number') {
      this.fail('malformed peer handshake');
      return false;
    }
    if (peerId === this.self.gatewayId) {
      this.fail(`peer uses this gateway's own id '${peerId}'`);
      return false;
    }
    const pinned = this.self.pinned;
    if (pinned.length > 0 && !pinned.some((p) => samePin(p, this.conn.remoteIdentity))) {
      this.fail(`peer identity '${this.conn.remoteIdentity ?? 'none'}' is not in MESH_PEER_IDS`);
      return false;
    }
    this.peerId = peerId;
    this.peerEpoch = peerEpoch;
    return true;
  }

  onFrame(frame: Frame): void {
    if (this.finished) return;
    const h = frame.header;
    const s = this.self;
    switch (h[0]) {
      case M.PEER_HELLO: {
        if (this.role !== 'acceptor') return this.fail('unexpected PEER_HELLO');
        const [, id, realm, epoch, theirNonce, version] = h;
        if (realm !== s.realm) return this.fail(`realm '${String(realm)}' is not '${s.realm}'`);
        if (typeof theirNonce !== 'string' || theirNonce.length === 0)
          return this.fail('malformed peer handshake');
        const mismatch = versionMismatch(version);
        if (mismatch) return this.fail(mismatch);
        if (!this.checkPeer(id, epoch)) return;
        this.nonces = `${theirNonce}|${this.myNonce}`;
        this.conn.write(encodeFrame([M.PEER_WELCOME, s.gatewayId, s.epoch, this.myNonce, MESH_WIRE_VERSION]));
        return;
      }
      case M.PEER_WELCOME: {
        if (this.role !== 'dialer') return this.fail('unexpected PEER_WELCOME');
        const [, id, epoch, theirNonce, version] = h;
        if (typeof theirNonce !== 'string' || theirNonce.length === 0)
          return this.fail('malformed peer handshake');
        const mismatch = versionMismatch(version);
        if (mismatch) return this.fail(mismatch);
        if (!this.checkPeer(id, epoch)) return;
        this.nonces = `${this.myNonce}|${theirNonce}`;
        const p = proof(
          s.secret,
          'dialer',
          this.nonces,
          s.gatewayId,
          this.peerId,
          s.localIdentity,
          this.remote,
        );
        this.conn.write(
          encodeFrame([M.PEER_AUTH, p, s.lastReceived(this.peerId, this.peerEpoch), this.peerEpoch]),
        );
        return;
      }
      case M.PEER_AUTH: {
        if (this.role !== 'acceptor' || !this.peerId) return this.fail('unexpected PEER_AUTH');
        const [, theirProof, received, receivedEpoch] = h;
        if (!this.peerProved('dialer', theirProof)) return;
        const p = proof(
          s.secret,
          'acceptor',
          this.nonces,
          s.gatewayId,
          this.peerId,
          s.localIdentity,
          this.remote,
        );
        this.conn.write(
          encodeFrame([M.PEER_READY, s.lastReceived(this.peerId, this.peerEpoch), this.peerEpoch, p]),
        );
        this.resolve(this.result(received, receivedEpoch));
        return;
      }
      case M.PEER_READY: {
        if (this.role !== 'dialer' || !this.peerId) return this.fail('unexpected PEER_READY');
        const [, received, receivedEpoch, theirProof] = h;
        if (!this.peerProved('acceptor', theirProof)) return;
        this.resolve(this.result(received, receivedEpoch));
        return;
      }
      case M.ABORT:
        this.reject(new HandshakeError(`peer refused the link: ${String(h[2])}`));
        return;
      default:
        this.fail(`unexpected message type ${String(h[0])} during the peer handshake`);
    }
  }

  private result(received: unknown, receivedEpoch: unknown): HandshakeResult {
    // What the peer says it received counts only if it refers to our current epoch.
    const peerReceived = receivedEpoch === this.self.epoch && typeof received === 'number' ? received : 0;
    return { peerId: this.peerId, peerEpoch: this.peerEpoch, peerReceived };
  }
}

/** TLS fingerprints compare without colons and case (openssl prints `AB:CD:…`); QUIC peer ids exactly. */
function samePin(pin: string, identity: string | undefined): boolean {
  if (!identity) return false;
  if (/^[0-9a-fA-F:]+$/.test(pin) && pin.replace(/:/g, '').length === 64)
    return normaliseFingerprint(pin) === normaliseFingerprint(identity);
  return pin === identity;
}
