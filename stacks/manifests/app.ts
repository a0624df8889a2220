/**
 * One Deployment per app (docs/pulumi.md, Components: AppService); the dashboard also gets its Service
 * (NodePort 30000 on kind, docs/dashboard.md). Every app serves /live, /ready and /metrics on its
 * HEALTH_PORT (apps/shared/health.ts): the probes and the Prometheus scrape annotations point there,
 * and the dashboard's UI stays alone on PORT.
 */
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IService } from 'kubernetes-models/v1/Service';
import type { StackConfig } from '../schema';
import type { AppNode } from '../topology';
import { databasePasswordAnnotations, envList, imageRef, labels, NON_ROOT, resources } from './common';

/** Name of the health port in every app container (probes refer to it by name). */
export const HEALTH_PORT_NAME = 'health';

/** The annotations the Prometheus chart's `kubernetes-pods` job follows. */
export function scrapeAnnotations(c: StackConfig): Record<string, string> {
  return {
    'prometheus.io/scrape': 'true',
    'prometheus.io/port': String(c.ports.health),
    'prometheus.io/path': '/metrics',
  };
}

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
          annotations: {
            ...scrapeAnnotations(c),
            // A rotated password restarts the apps that read DATABASE_URL (docs/pulumi.md, Lifecycle).
            ...(a.needsDatabase ? databasePasswordAnnotations() : {}),
          },
        },
        spec: {
          containers: [
            {
              name: a.app,
              image,
              args: ['app', a.app],
              env: envList(a.env),
              ports: [
                ...(web
                  ? [{ name: 'http', containerPort: c.ports.dashboard, protocol: 'TCP' as const }]
                  : []),
                { name: HEALTH_PORT_NAME, containerPort: c.ports.health, protocol: 'TCP' as const },
              ],
              // Ready = connected to the gateway with subscriptions and registrations in place; not
              // ready (out of the Service, no restart) while the client reconnects.
              readinessProbe: {
                httpGet: { path: '/ready', port: HEALTH_PORT_NAME },
                periodSeconds: 5,
                failureThreshold: 2,
              },
              // Live = the process answers; a lost gateway is not a reason to restart it.
              livenessProbe: {
                httpGet: { path: '/live', port: HEALTH_PORT_NAME },
                initialDelaySeconds: 10,
                periodSeconds: 10,
                failureThreshold: 3,
              },
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
