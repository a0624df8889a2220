/** The gateway's public surface for the CLI, the local launcher and tests. */
export { Gateway, type StartOptions } from './gateway';
export {
  loadGatewayConfig,
  gatewayConfig,
  ConfigError,
  parsePeerUrl,
  type GatewayConfig,
  type PeerUrl,
  type TransportName,
} from './core/config';
