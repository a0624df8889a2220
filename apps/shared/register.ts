/**
 * Registering a procedure after a crash: the gateway still holds it for the dead session until it
 * notices the connection is gone (the transport's idle timeout, 10 s by default), and answers
 * `already_exists` until then. A restarted app waits that out instead of failing its start.
 */
import { GatewayError, type GatewayClient, type Registration, type RpcHandler } from '../../gateway/client';
import type { Logger } from './logger';

export async function registerWhenFree<A, R>(
  client: GatewayClient,
  procedure: string,
  handler: RpcHandler<A, R>,
  log: Logger,
  waitMs = 60_000,
): Promise<Registration> {
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    try {
      return await client.register(procedure, handler);
    } catch (err) {
      if (!(err instanceof GatewayError && err.code === 'already_exists') || Date.now() > deadline) throw err;
      if (!told)
        log.warn({ procedure }, 'procedure still held by a previous session: waiting for it to time out');
      told = true;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
