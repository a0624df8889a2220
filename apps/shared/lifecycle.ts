/**
 * Process entry helpers shared by the apps: connect to the local gateway with the client library,
 * start the app, and shut down gracefully on SIGINT/SIGTERM (stop the app, then close the client).
 */
import { connect, type GatewayClient } from '../../gateway/client';
import type { ConnectionConfig } from './env';
import { createLogger, type Logger } from './logger';

export interface Stoppable {
  stop(): Promise<void>;
}

export async function connectClient(name: string, connection: ConnectionConfig): Promise<GatewayClient> {
  return connect({
    url: connection.url,
    realm: connection.realm,
    token: connection.token,
    insecure: connection.insecure,
    clientId: `${name}-${process.pid}`,
  });
}

/**
 * Runs one app until SIGINT/SIGTERM. `build` receives the connected client and a logger and returns
 * the started app. A second signal while stopping exits at once.
 */
export async function runApp(
  name: string,
  connection: ConnectionConfig,
  build: (client: GatewayClient, log: Logger) => Promise<Stoppable>,
): Promise<void> {
  const log = createLogger(name);
  const client = await connectClient(name, connection);
  log.info({ url: connection.url, realm: connection.realm, gateway: client.gatewayId }, 'connected');
  const app = await build(client, log);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(130);
      stopping = true;
      log.info({ signal }, 'stopping');
      app
        .stop()
        .catch((err: unknown) => log.error({ err }, 'stop failed'))
        .then(() => client.close())
        .catch((err: unknown) => log.error({ err }, 'close failed'))
        .finally(() => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          resolve();
        });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  log.info('stopped');
}
