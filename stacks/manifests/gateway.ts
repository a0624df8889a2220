/**
 * The gateway's Deployment and Service (docs/pulumi.md, Components: Gateway; docs/protocol.md §1 and §5).
 * QUIC listens on UDP and its TLS fallback on TCP at the same port; probes use the admin HTTP port,
 * never the UDP port, which no TCP probe could test.
 */
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IService } from 'kubernetes-models/v1/Service';
import { GATEWAY_SERVICE } from '../env';
import type { StackConfig } from '../schema';
import type { GatewayNode } from '../topology';
import { envList, imageRef, labels, NON_ROOT, resources } from './common';

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
      // One gateway per cluster holds one GATEWAY_ID: never two at once during a rollout.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: l.selector },
      template: {
        // No prometheus.io/* annotations: the admin API refuses a scrape without the stack's admin
        // token, so Prometheus scrapes every gateway in its own job (manifests/observability.ts).
        metadata: { labels: l.all },
        spec: {
          containers: [
            {
              name: 'gateway',
              image,
              args: ['gateway'],
              env: envList(g.env),
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
