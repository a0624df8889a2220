/**
 * Public surface of the transport layer (docs/protocol.md §1). Importing this loads no native code: the
 * quinn binding is loaded when a QuicTransport is first constructed.
 */
export type {
  Connection,
  DialOptions,
  ListenOptions,
  Listener,
  Transport,
  TransportSecurity,
} from './transport';
export { PeerNotTrustedError } from './transport';
export type { ConnectionStats } from './base-connection';
export { TlsTransport, tlsTransport } from './tls';
export { QuicTransport, quicTransport, STREAM_PREAMBLE, type QuicTransportOptions } from './quinn';
export {
  devIdentity,
  identityFromPem,
  listenerSecurity,
  newQuicSeed,
  selfSignedCertificate,
  fingerprintPem,
  normaliseFingerprint,
  peerIdFromSeed,
  type DevIdentityOptions,
  type NodeIdentity,
  type PemIdentityInput,
} from './identity';
