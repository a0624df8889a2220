/**
 * Picks a transport by name, loading its module only when used (QUIC loads native code; the
 * ngtcp2-native module only looks for the addon's file).
 *
 * QUIC has two stacks with the same wire and identities (docs/protocol.md §1): `ngtcp2`, the project's
 * own addon (native/quic), which runs on the event-loop thread, and `quinn`, the binding shipped
 * in @chainsafe/libp2p-quic. `MACULA_QUIC_STACK` chooses; unset or `auto` takes ngtcp2 when its
 * addon is built on this machine and quinn otherwise. `MACULA_QUIC_CC` picks the ngtcp2 stack's
 * congestion controller (bbr2 unless set; ngtcp2-native.ts says why).
 */
import { ngtcp2Available, type CongestionControl } from './ngtcp2-native';
import type { Transport } from './transport';

export type QuicStack = 'ngtcp2' | 'quinn';

export function quicStack(env: NodeJS.ProcessEnv = process.env): QuicStack {
  const wanted = (env.MACULA_QUIC_STACK ?? 'auto').trim().toLowerCase();
  if (wanted === 'ngtcp2' || wanted === 'quinn') return wanted;
  if (wanted !== 'auto' && wanted !== '') {
    throw new Error(`MACULA_QUIC_STACK: expected ngtcp2, quinn or auto, got "${env.MACULA_QUIC_STACK}"`);
  }
  return ngtcp2Available() ? 'ngtcp2' : 'quinn';
}

const CONTROLLERS: readonly CongestionControl[] = ['cubic', 'bbr', 'bbr2'];

/** The ngtcp2 stack's congestion controller from MACULA_QUIC_CC; undefined: the addon's default. */
export function quicCongestionControl(env: NodeJS.ProcessEnv = process.env): CongestionControl | undefined {
  const wanted = (env.MACULA_QUIC_CC ?? '').trim().toLowerCase();
  if (wanted === '') return undefined;
  const found = CONTROLLERS.find((c) => c === wanted);
  if (!found)
    throw new Error(`MACULA_QUIC_CC: expected ${CONTROLLERS.join(', ')}, got "${env.MACULA_QUIC_CC}"`);
  return found;
}

const quic = new Map<QuicStack, Transport>();

/** `stack` picks the QUIC stack for this caller; by default MACULA_QUIC_STACK decides. */
export function loadTransport(name: 'quic' | 'tls', stack?: QuicStack): Transport {
  if (name === 'tls') return (require('./tls') as typeof import('./tls')).tlsTransport;
  const which = stack ?? quicStack();
  let transport = quic.get(which);
  if (!transport) {
    if (which === 'ngtcp2') {
      const { Ngtcp2Transport } = require('./ngtcp2') as typeof import('./ngtcp2');
      transport = new Ngtcp2Transport({ congestionControl: quicCongestionControl() });
    } else {
      transport = (require('./quinn') as typeof import('./quinn')).quicTransport();
    }
    quic.set(which, transport);
  }
  return transport;
}
