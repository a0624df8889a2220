/**
 * Registering a procedure after a crash: the gateway still holds it for the dead session, and
 * answers `already_exists` until it has found that session silent (its probe, about 1.5 s after
 * this client id asked, docs/protocol.md §2 "A holder gone silent"); so does a durable
 * subscription the dead session held. A restarted app waits that out instead of failing its start.
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
  return whenFree(() => client.register(procedure, handler), { procedure }, log, waitMs);
}

/**
 * `attempt` (a registration, a durable subscription) retried every second while the gateway
 * answers `already_exists` for a previous session it still holds, for at most `waitMs`.
 */
export async function whenFree<T>(
  attempt: () => Promise<T>,
  what: Record<string, string>,
  log: Logger,
  waitMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof GatewayError && err.code === 'already_exists') || Date.now() > deadline) throw err;
      if (!told) log.warn(what, 'still held by a previous session: waiting for it to time out');
      told = true;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
