/**
 * The refusal of something a session of this gateway holds (a durable name, a procedure), naming
 * the holder, so the router can check whether a holder of the same client id is still alive
 * (ClientSession.probeHolder). The client sees only `already_exists` and the message.
 */
import { GatewayError } from '../protocol/errors';

export class HeldBySession extends GatewayError {
  constructor(
    message: string,
    readonly holderSessionId: string,
  ) {
    super('already_exists', message);
  }
}
