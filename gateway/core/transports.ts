/** Picks a transport by name, loading its module only when used (QUIC loads a native binding). */
import type { Transport } from '../transport/transport';

export function loadTransport(name: 'quic' | 'tls'): Transport {
  if (name === 'tls') return (require('../transport/tls') as typeof import('../transport/tls')).tlsTransport;
  return (require('../transport/quic') as typeof import('../transport/quic')).quicTransport();
}
