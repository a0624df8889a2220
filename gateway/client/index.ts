/**
 * The gateway client library (docs/protocol.md §7): the only way apps talk to the mesh.
 * This file lists what is public on purpose; everything else in this folder is internal.
 */
import { Client } from './client';
import type { ConnectOptions, GatewayClient } from './types';

/** Connect to a gateway (`https://` = QUIC, `tls://` = TLS/TCP) and join the realm. */
export function connect(options: ConnectOptions): Promise<GatewayClient> {
  return Client.connect(options);
}

export { GatewayError, ERROR_CODES, isErrorCode } from '../protocol/errors';
/** A payload (a publication, an answer) encoded once, to send many times without encoding again. */
export { encodeOnce, EncodedPayload } from '../protocol/frames';
export { envQuicPeerIds, quicPeerIdsProblem } from './session';
/** A refused gateway identity (fix the trust settings), as opposed to an unreachable gateway. */
export { PeerNotTrustedError } from '../transport/transport';
export type { ErrorCode } from '../protocol/errors';
export type {
  CallOptions,
  ClientEvent,
  ConnectOptions,
  EventHandler,
  EventMeta,
  GatewayClient,
  InvocationMeta,
  PublishOptions,
  Registration,
  RpcHandler,
  SubscribeOptions,
  Subscription,
} from './types';
