import { proof, verifyProof } from '../../gateway/mesh/auth';

describe('peer proofs (docs/protocol.md §3)', () => {
  const secret = 'mesh-secret-0123456789';
  const honest = proof(secret, 'dialer', 'n1', 'gw-a', 'gw-b', 'id-of-a', 'id-of-b');

  it('verify only with the same secret, role, nonce, gateway ids and transport identities', () => {
    expect(verifyProof(proof(secret, 'dialer', 'n1', 'gw-a', 'gw-b', 'id-of-a', 'id-of-b'), honest)).toBe(
      true,
    );
    expect(
      verifyProof(
        proof('another-secret-0123456', 'dialer', 'n1', 'gw-a', 'gw-b', 'id-of-a', 'id-of-b'),
        honest,
      ),
    ).toBe(false);
    expect(verifyProof(proof(secret, 'acceptor', 'n1', 'gw-a', 'gw-b', 'id-of-a', 'id-of-b'), honest)).toBe(
      false,
    );
    expect(verifyProof(proof(secret, 'dialer', 'n2', 'gw-a', 'gw-b', 'id-of-a', 'id-of-b'), honest)).toBe(
      false,
    );
    expect(verifyProof(proof(secret, 'dialer', 'n1', 'gw-b', 'gw-a', 'id-of-a', 'id-of-b'), honest)).toBe(
      false,
    );
  });

  it('fail through a relay that terminates the transport: the identities each side sees differ', () => {
    // The verifier sees the relay's identity where the prover saw the verifier's own.
    expect(verifyProof(proof(secret, 'dialer', 'n1', 'gw-a', 'gw-b', 'id-of-relay', 'id-of-b'), honest)).toBe(
      false,
    );
    expect(verifyProof(proof(secret, 'dialer', 'n1', 'gw-a', 'gw-b', 'id-of-a', 'id-of-relay'), honest)).toBe(
      false,
    );
  });

  it('a missing or malformed proof never verifies when a secret is set', () => {
    expect(verifyProof(honest, undefined)).toBe(false);
    expect(verifyProof(honest, 42)).toBe(false);
    expect(verifyProof(honest, honest.slice(1))).toBe(false);
  });
});
