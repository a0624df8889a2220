/**
 * Simulate a client process crash in-process: drop its transport connection at once (no GOODBYE,
 * queued bytes lost), as the gateway sees when a process dies. The client library has no public
 * way to do that on purpose, so this reaches into its one private field, in tests only.
 */
import type { GatewayClient } from '../../gateway/client';
import type { Connection } from '../../gateway/transport/transport';

interface ClientInternals {
  conn: { conn: Connection };
}

export function crashClient(client: GatewayClient): void {
  const internals = client as unknown as ClientInternals;
  if (!internals.conn?.conn?.destroy)
    throw new Error(
      'crashClient: the client library internals changed (expected client.conn.conn: Connection)',
    );
  internals.conn.conn.destroy(new Error('simulated crash'));
}
