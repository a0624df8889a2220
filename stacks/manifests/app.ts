/**
 * One Deployment per app (infra.md §3 AppService); the dashboard also gets its Service
 * (NodePort 30000 on kind, domain.md §6). Apps without an HTTP port in the contract (all but the
 * dashboard) get no HTTP probe: they exit on a lost gateway and the kubelet restarts them.
 */
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IService } from 'kubernetes-models/v1/Service';
import type { StackConfig } from '../schema';
import type { AppNode } from '../topology';
import { envList, imageRef, labels, NON_ROOT, resources } from './common';

export function appDeployment(c: StackConfig, a: AppNode, image = imageRef(c, a.app)): IDeployment {
  const l = labels(a.app, 'app');
  const web = a.app === 'dashboard';
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: a.app, labels: l.all },
    spec: {
      replicas: 1,
      selector: { matchLabels: l.selector },
      template: {
        metadata: {
          labels: l.all,
          ...(web
            ? {
                annotations: {
                  'prometheus.io/scrape': 'true',
                  'prometheus.io/port': String(c.ports.dashboard),
                  'prometheus.io/path': '/metrics',
                },
              }
            : {}),
        },
        spec: {
          containers: [
            {
              name: a.app,
              image,
              args: ['app', a.app],
              env: envList(a.env),
              ...(web
                ? {
                    ports: [{ name: 'http', containerPort: c.ports.dashboard, protocol: 'TCP' }],
                    readinessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 5 },
                    livenessProbe: {
                      tcpSocket: { port: 'http' },
                      initialDelaySeconds: 15,
                      periodSeconds: 10,
                    },
                  }
                : {}),
              resources: resources(a.app),
              securityContext: NON_ROOT,
            },
          ],
        },
      },
    },
  };
}

export function dashboardService(c: StackConfig): IService {
  const l = labels('dashboard', 'app');
  const node = c.target === 'kind';
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'dashboard', labels: l.all },
    spec: {
      type: node ? 'NodePort' : 'ClusterIP',
      selector: l.selector,
      ports: [
        {
          name: 'http',
          port: c.ports.dashboard,
          targetPort: 'http',
          protocol: 'TCP',
          ...(node ? { nodePort: c.ports.dashboardNodePort } : {}),
        },
      ],
    },
  };
}
