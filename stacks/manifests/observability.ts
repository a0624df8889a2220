/**
 * Observability on the hub (docs/pulumi.md, Components: Observability; optional): Helm values for Prometheus
 * and Grafana and the gateway-mesh dashboard, built on the gateway's own metrics (gateway/admin/metrics.ts:
 * every series carries `gateway_id`, per-link series carry `peer`).
 */
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { stringify } from 'yaml';
import { GATEWAY_SERVICE, SECRETS } from '../env';
import { NAMESPACE, type StackConfig } from '../schema';

export const MONITORING_NAMESPACE = 'monitoring';
export const GRAFANA_ADMIN_SECRET = 'grafana-admin';
/** Where Prometheus's server finds the stack's admin token (the Secret's copy in its namespace). */
export const ADMIN_TOKEN_MOUNT = '/etc/cortexiq-admin';

/**
 * Where Prometheus on the hub reaches the other clusters' gateways: their admin port from outside
 * their cluster (kind: the node port on the shared `kind` network; existing: the gateway's address,
 * whose LoadBalancer carries the admin port). Their apps' health ports are not reachable from the hub.
 */
export function edgeGatewayTargets(c: StackConfig): { target: string; cluster: string }[] {
  return c.clusters
    .filter((cl) => cl.role !== 'hub')
    .map((cl) => ({
      cluster: cl.name,
      target:
        c.target === 'kind'
          ? `${cl.name}-control-plane:${c.ports.adminNodePort}`
          : `${(cl.gatewayAddress ?? cl.name).split(':')[0]}:${c.ports.admin}`,
    }));
}

/** Every gateway's admin `/metrics`: the hub's through its Service, the others as above. */
export function gatewayScrapeTargets(c: StackConfig): { target: string; cluster: string }[] {
  const hub = c.clusters.find((cl) => cl.role === 'hub')!;
  return [
    { cluster: hub.name, target: `${GATEWAY_SERVICE}.${NAMESPACE}.svc:${c.ports.admin}` },
    ...edgeGatewayTargets(c),
  ];
}

export function prometheusValues(c: StackConfig): Record<string, unknown> {
  // The chart's default `kubernetes-pods` job scrapes the prometheus.io/* annotations of the hub's
  // apps. A gateway's admin API answers remote callers only with the stack's admin token, which
  // that job cannot send: `extraScrapeConfigs` (a YAML string the chart appends to scrape_configs)
  // adds every gateway, the hub's included, with the token read from the mounted Secret, labelled
  // like the hub's pods with their cluster.
  const job = {
    job_name: 'mesh-gateways',
    metrics_path: '/metrics',
    authorization: { type: 'Bearer', credentials_file: `${ADMIN_TOKEN_MOUNT}/${SECRETS.adminToken.key}` },
    static_configs: gatewayScrapeTargets(c).map((e) => ({
      targets: [e.target],
      labels: { cluster: e.cluster },
    })),
  };
  return {
    alertmanager: { enabled: false },
    'prometheus-pushgateway': { enabled: false },
    'prometheus-node-exporter': { enabled: false },
    'kube-state-metrics': { enabled: false },
    server: {
      persistentVolume: { enabled: false },
      retention: '2d',
      extraSecretMounts: [
        {
          name: SECRETS.adminToken.secret,
          mountPath: ADMIN_TOKEN_MOUNT,
          secretName: SECRETS.adminToken.secret,
          readOnly: true,
        },
      ],
    },
    extraScrapeConfigs: stringify([job]),
  };
}

export function grafanaValues(c: StackConfig): Record<string, unknown> {
  return {
    admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: 'admin-user', passwordKey: 'admin-password' },
    service: {
      type: c.target === 'kind' ? 'NodePort' : 'ClusterIP',
      ...(c.target === 'kind' ? { nodePort: c.ports.grafanaNodePort } : {}),
    },
    datasources: {
      'datasources.yaml': {
        apiVersion: 1,
        datasources: [
          {
            name: 'Prometheus',
            type: 'prometheus',
            access: 'proxy',
            isDefault: true,
            url: `http://prometheus-server.${MONITORING_NAMESPACE}.svc`,
          },
        ],
      },
    },
    sidecar: { dashboards: { enabled: true, label: 'grafana_dashboard', labelValue: '1' } },
  };
}

const panel = (
  id: number,
  title: string,
  expr: string,
  legend: string,
  unit: string,
  y: number,
  x: number,
): Record<string, unknown> => ({
  id,
  title,
  type: 'timeseries',
  datasource: { type: 'prometheus', uid: '${datasource}' },
  gridPos: { h: 8, w: 12, x, y },
  fieldConfig: { defaults: { unit }, overrides: [] },
  targets: [{ expr, legendFormat: legend, refId: 'A' }],
});

export function meshDashboard(c: StackConfig): Record<string, unknown> {
  return {
    title: 'CortexIQ gateway mesh',
    uid: 'cortexiq-mesh',
    tags: ['cortex-iq', 'mesh'],
    timezone: 'utc',
    schemaVersion: 39,
    refresh: '5s',
    time: { from: 'now-15m', to: 'now' },
    templating: { list: [{ name: 'datasource', type: 'datasource', query: 'prometheus' }] },
    description: `Gateways of realm ${c.realm}: links, rates, latency, clients.`,
    panels: [
      panel(
        1,
        'Mesh links up',
        'sum by (gateway_id, peer) (macula_peer_link_up)',
        '{{gateway_id}} → {{peer}}',
        'none',
        0,
        0,
      ),
      panel(2, 'Link round-trip time', 'macula_peer_rtt_seconds', '{{gateway_id}} → {{peer}}', 's', 0, 12),
      panel(
        3,
        'Messages per link',
        'rate(macula_peer_sent_messages[1m])',
        '{{gateway_id}} → {{peer}}',
        'ops',
        8,
        0,
      ),
      panel(
        4,
        'Messages by kind',
        'sum by (gateway_id, direction, kind) (rate(macula_messages_total[1m]))',
        '{{gateway_id}} {{direction}} {{kind}}',
        'ops',
        8,
        12,
      ),
      panel(
        5,
        'Clients, subscriptions, registrations',
        'macula_clients or macula_subscriptions or macula_registrations',
        '{{__name__}} {{gateway_id}}',
        'none',
        16,
        0,
      ),
      panel(
        6,
        'Forwarded, replayed, unroutable',
        'rate(macula_mesh_forwarded_total[1m]) or rate(macula_mesh_replayed_total[1m]) or rate(macula_mesh_unroutable_total[1m])',
        '{{__name__}} {{gateway_id}}',
        'ops',
        16,
        12,
      ),
      // Every message the mesh or a gateway gives up is counted somewhere (docs/loss.md): one panel
      // shows them all, so a loss never needs a log search to be seen.
      panel(
        7,
        'Given up, by destination and reason',
        'sum by (gateway_id, dest, reason) (increase(macula_mesh_lost_total[5m]))',
        '{{gateway_id}} → {{dest}} {{reason}}',
        'none',
        24,
        0,
      ),
      panel(
        8,
        'Dropped for slow consumers and durable bounds',
        'rate(macula_slow_consumer_drops_total[1m]) or rate(macula_durable_evicted_total[1m]) or rate(macula_durable_expired_total[1m])',
        '{{__name__}} {{gateway_id}}',
        'ops',
        24,
        12,
      ),
    ],
  };
}

export function meshDashboardConfigMap(c: StackConfig): IConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'cortexiq-mesh-dashboard',
      namespace: MONITORING_NAMESPACE,
      labels: { grafana_dashboard: '1' },
    },
    data: { 'cortexiq-mesh.json': JSON.stringify(meshDashboard(c), null, 2) },
  };
}
