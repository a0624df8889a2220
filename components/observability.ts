/**
 * Prometheus and Grafana on the hub with the gateway-mesh dashboard (docs/pulumi.md, Components:
 * Observability; optional by `observability.enabled`). Grafana's admin password is generated and kept secret.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import {
  GRAFANA_ADMIN_SECRET,
  SECRETS,
  grafanaValues,
  meshDashboardConfigMap,
  MONITORING_NAMESPACE,
  prometheusValues,
  type StackConfig,
} from '../stacks';
import { kindHostName } from './endpoints';
import { createSecret } from './k8s-object';

/** Helm's wait for each chart (seconds): first image pulls over the internet on a laptop. */
const CHART_TIMEOUT = 600;

export interface ObservabilityArgs {
  /** The typed stack (chart versions, Grafana node port). */
  config: StackConfig;
  /** Provider of the hub. */
  provider: k8s.Provider;
  /** The stack's admin token: Prometheus presents it to every gateway's admin `/metrics`. */
  adminToken: pulumi.Input<string>;
}

export class Observability extends pulumi.ComponentResource {
  /** Grafana's URL from the host (kind) or the in-cluster URL. */
  readonly grafanaUrl: string;
  /** Grafana's admin password (secret). */
  readonly grafanaPassword: pulumi.Output<string>;

  constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
    super('cortex-iq:observability:Observability', name, {}, opts);
    const { config: c, provider } = args;
    const ref = { parent: this, provider };
    const ns = new k8s.core.v1.Namespace(`${name}-ns`, { metadata: { name: MONITORING_NAMESPACE } }, ref);
    const pw = new random.RandomPassword(
      `${name}-grafana-password`,
      { length: 24, special: false },
      { parent: this, additionalSecretOutputs: ['result'] },
    );
    this.grafanaPassword = pulumi.secret(pw.result);
    const admin = createSecret(
      `${name}-grafana-admin`,
      GRAFANA_ADMIN_SECRET,
      MONITORING_NAMESPACE,
      { 'admin-user': 'admin', 'admin-password': this.grafanaPassword },
      { ...ref, dependsOn: [ns] },
    );
    // The gateways answer remote scrapes only with the admin token; Secrets are per namespace, so
    // Prometheus's namespace gets its own copy (mounted by prometheusValues).
    const scrapeToken = createSecret(
      `${name}-admin-token`,
      SECRETS.adminToken.secret,
      MONITORING_NAMESPACE,
      { [SECRETS.adminToken.key]: args.adminToken },
      { ...ref, dependsOn: [ns] },
    );
    const dash = meshDashboardConfigMap(c);
    new k8s.core.v1.ConfigMap(
      `${name}-dashboard`,
      { metadata: dash.metadata, data: dash.data },
      { ...ref, dependsOn: [ns] },
    );
    const prometheus = new k8s.helm.v3.Release(
      `${name}-prometheus`,
      {
        name: 'prometheus',
        chart: 'prometheus',
        version: c.observability.prometheusChartVersion,
        repositoryOpts: { repo: 'https://prometheus-community.github.io/helm-charts' },
        namespace: MONITORING_NAMESPACE,
        values: prometheusValues(c),
        timeout: CHART_TIMEOUT,
      },
      { ...ref, dependsOn: [ns, scrapeToken] },
    );
    new k8s.helm.v3.Release(
      `${name}-grafana`,
      {
        name: 'grafana',
        chart: 'grafana',
        version: c.observability.grafanaChartVersion,
        repositoryOpts: { repo: 'https://grafana.github.io/helm-charts' },
        namespace: MONITORING_NAMESPACE,
        values: grafanaValues(c),
        timeout: CHART_TIMEOUT,
      },
      { ...ref, dependsOn: [admin, prometheus] },
    );
    this.grafanaUrl =
      c.target === 'kind'
        ? `http://${kindHostName(c)}:${c.ports.grafanaNodePort}`
        : `http://grafana.${MONITORING_NAMESPACE}.svc`;
    this.registerOutputs({ grafanaUrl: this.grafanaUrl });
  }
}
