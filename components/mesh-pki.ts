/**
 * Mesh identity (docs/protocol.md §3: peers authenticate each other): one mesh CA and one certificate per
 * gateway, valid for both server and client auth so peers verify each other both ways, and one QUIC
 * key per gateway. Private keys stay Pulumi secrets.
 */
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import * as tls from '@pulumi/tls';
import { peerIdFromSeed } from '../gateway/transport/libp2p-key';

export interface GatewayIdentity {
  /** Gateway id (cluster name), the certificate's common name. */
  id: string;
  /** Names peers and clients use to reach it. */
  dnsNames: string[];
  /** IP addresses clients use to reach it (a host port bound to a specific address). */
  ipAddresses?: string[];
}

export interface MeshPkiArgs {
  /** The realm (CA subject). */
  realm: string;
  /** One entry per gateway. */
  gateways: GatewayIdentity[];
  /** Certificate validity in hours (default one year). */
  validityHours?: number;
}

export interface GatewayTls {
  cert: pulumi.Output<string>;
  key: pulumi.Output<string>;
  /** QUIC key: a 32-byte Ed25519 seed in hex (secret), MACULA_QUIC_KEY of the gateway. */
  quicKey: pulumi.Output<string>;
  /** The libp2p peer id of that key (public), which apps pin (MACULA_QUIC_PEER_ID). */
  quicPeerId: pulumi.Output<string>;
}

export class MeshPki extends pulumi.ComponentResource {
  /** The mesh CA certificate (PEM, public). */
  readonly caCert: pulumi.Output<string>;
  /** Per gateway id: certificate (PEM) and private key (PEM, secret). */
  readonly gateways: Record<string, GatewayTls>;

  constructor(name: string, args: MeshPkiArgs, opts?: pulumi.ComponentResourceOptions) {
    super('cortex-iq:tls:MeshPki', name, {}, opts);
    const hours = args.validityHours ?? 24 * 365;
    const caKey = new tls.PrivateKey(
      `${name}-ca-key`,
      { algorithm: 'ECDSA', ecdsaCurve: 'P256' },
      { parent: this },
    );
    const ca = new tls.SelfSignedCert(
      `${name}-ca`,
      {
        privateKeyPem: pulumi.secret(caKey.privateKeyPem),
        isCaCertificate: true,
        validityPeriodHours: hours,
        subject: { commonName: `${args.realm} mesh CA`, organization: 'CortexIQ' },
        allowedUses: ['cert_signing', 'crl_signing', 'digital_signature'],
      },
      { parent: this },
    );
    this.caCert = ca.certPem;
    this.gateways = {};
    for (const g of args.gateways) {
      const key = new tls.PrivateKey(
        `${name}-${g.id}-key`,
        { algorithm: 'ECDSA', ecdsaCurve: 'P256' },
        { parent: this },
      );
      const csr = new tls.CertRequest(
        `${name}-${g.id}-csr`,
        {
          privateKeyPem: pulumi.secret(key.privateKeyPem),
          subject: { commonName: g.id, organization: 'CortexIQ' },
          dnsNames: g.dnsNames,
          ...(g.ipAddresses?.length ? { ipAddresses: g.ipAddresses } : {}),
        },
        { parent: this },
      );
      const cert = new tls.LocallySignedCert(
        `${name}-${g.id}-cert`,
        {
          certRequestPem: csr.certRequestPem,
          caPrivateKeyPem: pulumi.secret(caKey.privateKeyPem),
          caCertPem: ca.certPem,
          validityPeriodHours: hours,
          allowedUses: ['digital_signature', 'key_encipherment', 'server_auth', 'client_auth'],
        },
        { parent: this },
      );
      // QUIC identities are libp2p Ed25519 keys with no CA path: fixing the key here makes the peer
      // id known before the gateway starts, so its apps can pin it.
      // RandomBytes, not RandomId: it keeps its value secret in the state (RandomId's id is the value).
      const quicSeed = new random.RandomBytes(`${name}-${g.id}-quic-key`, { length: 32 }, { parent: this });
      this.gateways[g.id] = {
        cert: cert.certPem,
        key: pulumi.secret(key.privateKeyPem),
        quicKey: pulumi.secret(quicSeed.hex),
        quicPeerId: pulumi.unsecret(quicSeed.hex.apply((hex) => peerIdFromSeed(Buffer.from(hex, 'hex')))),
      };
    }
    this.registerOutputs({ caCert: this.caCert });
  }
}
