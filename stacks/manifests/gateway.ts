/**
 * The gateway's Deployment, Service and data volume (docs/pulumi.md, Components: Gateway;
 * docs/protocol.md §1 and §5). QUIC listens on UDP and its TLS fallback on TCP at the same port;
 * probes use the admin HTTP port, never the UDP port, which no TCP probe could test. The volume
 * holds the durable log (GATEWAY_DATA_DIR; docs/loss.md), so durable subscriptions outlive a crash.
 */
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IService } from 'kubernetes-models/v1/Service';
import { GATEWAY_SERVICE } from '../env';
import type { StackConfig } from '../schema';
import type { GatewayNode } from '../topology';
import { envList, imageRef, labels, NON_ROOT, resources } from './common';

/** The claim the gateway's durable log lives on, and where the container mounts it. */
export const GATEWAY_DATA_CLAIM = 'macula-gateway-data';
const GATEWAY_DATA_PATH = '/var/lib/cortexiq/gateway';
const GATEWAY_DATA_STORAGE = '1Gi';
/** Below the claim's size: a segment past the bound and the folder itself need room too. */
const GATEWAY_DATA_MAX_BYTES = 768 * 1024 * 1024;
const UID = 10001;

export function gatewayDataClaim(): IPersistentVolumeClaim {
  const l = labels(GATEWAY_SERVICE, 'gateway');
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: GATEWAY_DATA_CLAIM, labels: l.all },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: GATEWAY_DATA_STORAGE } } },
  };
}

export function gatewayDeployment(
  c: StackConfig,
  g: GatewayNode,
  image = imageRef(c, 'gateway'),
): IDeployment {
  const l = labels(GATEWAY_SERVICE, 'gateway');
  const admin = c.ports.admin;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: GATEWAY_SERVICE, labels: l.all },
    spec: {
      replicas: 1,
      // One gateway per cluster holds one GATEWAY_ID, and one process writes its durable log: never
      // two pods at once during a rollout (the old one is gone before the new one mounts the claim).
      strategy: { type: 'Recreate' },
      selector: { matchLabels: l.selector },
      template: {
        // No prometheus.io/* annotations: the admin API refuses a scrape without the stack's admin
        // token, so Prometheus scrapes every gateway in its own job (manifests/observability.ts).
        metadata: { labels: l.all },
        spec: {
          // The claim's files belong to the image's user, whatever the volume's driver made them.
          securityContext: { fsGroup: UID },
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: GATEWAY_DATA_CLAIM } }],
          containers: [
            {
              name: 'gateway',
              image,
              args: ['gateway'],
              env: [
                ...envList(g.env),
                { name: 'GATEWAY_DATA_DIR', value: GATEWAY_DATA_PATH },
                { name: 'GATEWAY_DATA_MAX_BYTES', value: String(GATEWAY_DATA_MAX_BYTES) },
              ],
              volumeMounts: [{ name: 'data', mountPath: GATEWAY_DATA_PATH }],
              ports: [
                { name: 'quic', containerPort: c.ports.gateway, protocol: 'UDP' },
                { name: 'tls', containerPort: c.ports.gateway, protocol: 'TCP' },
                { name: 'admin', containerPort: admin, protocol: 'TCP' },
              ],
              readinessProbe: {
                httpGet: { path: '/ready', port: 'admin' },
                periodSeconds: 5,
                failureThreshold: 3,
              },
              livenessProbe: {
                httpGet: { path: '/live', port: 'admin' },
                initialDelaySeconds: 10,
                periodSeconds: 10,
              },
              resources: resources('gateway'),
              securityContext: NON_ROOT,
            },
          ],
        },
      },
    },
  };
}

/**
 * NodePort on kind (peers on other kind clusters dial `<cluster>-control-plane:<gatewayNodePort>`;
 * the hub maps the node ports to the host), LoadBalancer on existing clusters (`gatewayAddress`).
 */
export function gatewayService(c: StackConfig): IService {
  const l = labels(GATEWAY_SERVICE, 'gateway');
  const node = c.target === 'kind';
  const np = (n: number): { nodePort?: number } => (node ? { nodePort: n } : {});
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: GATEWAY_SERVICE, labels: l.all },
    spec: {
      type: node ? 'NodePort' : 'LoadBalancer',
      selector: l.selector,
      ports: [
        {
          name: 'quic',
          port: c.ports.gateway,
          targetPort: 'quic',
          protocol: 'UDP',
          ...np(c.ports.gatewayNodePort),
        },
        {
          name: 'tls',
          port: c.ports.gateway,
          targetPort: 'tls',
          protocol: 'TCP',
          ...np(c.ports.gatewayNodePort),
        },
        {
          name: 'admin',
          port: c.ports.admin,
          targetPort: 'admin',
          protocol: 'TCP',
          ...np(c.ports.adminNodePort),
        },
      ],
    },
  };
}
