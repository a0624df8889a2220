/**
 * Flux on one cluster (docs/pulumi.md, Components: Flux): the fluxcd-community `flux2` chart with the source,
 * kustomize, helm and notification controllers, and, when the stack delivers by GitOps, the source
 * of the rendered tree and the Kustomizations `infrastructure` and `apps` (apps dependsOn
 * infrastructure), built by `stacks/manifests/flux.ts`.
 *
 * Nothing in direct delivery waits for this component (the chart comes from the internet); under
 * GitOps `up` waits until both Kustomizations are Ready, so it returns once the workloads run.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import {
  DATABASE_PASSWORD_REVISION_VAR,
  FLUX_NAMESPACE,
  fluxHelmValues,
  fluxKustomizations,
  fluxSource,
  REVISIONS_CONFIGMAP,
  type StackConfig,
} from '../stacks';

export const FLUX_CHART_REPO = 'https://fluxcd-community.github.io/helm-charts';
/** Helm's wait for the controllers (seconds): first pulls of four images over the internet. */
export const FLUX_HELM_TIMEOUT = 600;
/** How long `up` waits for a Kustomization to become Ready (its own timeout is 5m, retried each 1m). */
export const KUSTOMIZATION_WAIT = '15m';

export interface FluxArgs {
  /** The typed stack (Flux version, delivery, GitOps source). */
  config: StackConfig;
  /** Name of the cluster (its folder under `clusters/` in the rendered tree). */
  cluster: string;
  /** Provider of the cluster. */
  provider: k8s.Provider;
  /** What the rendered workloads need before Flux applies them: their namespace and Secrets. */
  workloadPrerequisites?: pulumi.Resource[];
  /** Revision of the database password, substituted into the rendered tree (GitOps). */
  passwordRevision?: pulumi.Input<string>;
}

export class Flux extends pulumi.ComponentResource {
  /** The Helm release of Flux (absent with `flux.install: existing`). */
  readonly release?: k8s.helm.v3.Release;
  /** Names of the GitOps Kustomizations (empty in direct delivery). */
  readonly kustomizations: string[];

  constructor(name: string, args: FluxArgs, opts?: pulumi.ComponentResourceOptions) {
    super('cortex-iq:flux:Flux', name, {}, opts);
    const { config: c, provider } = args;
    if (c.flux.install === 'helm') {
      this.release = new k8s.helm.v3.Release(
        `${name}-release`,
        {
          name: 'flux2',
          chart: 'flux2',
          version: c.flux.chartVersion,
          repositoryOpts: { repo: FLUX_CHART_REPO },
          namespace: FLUX_NAMESPACE,
          // Helm creates flux-system only when it is missing: a cluster that already has the namespace
          // (but no Flux) does not fail with AlreadyExists.
          createNamespace: true,
          values: fluxHelmValues(),
          description: `Flux ${c.flux.version}`,
          atomic: true,
          timeout: FLUX_HELM_TIMEOUT,
        },
        { parent: this, provider },
      );
    }
    this.kustomizations = [];
    if (c.delivery === 'gitops') {
      if (!c.gitops) throw new Error(`Flux '${name}': delivery 'gitops' needs cortex-iq:gitops`);
      const src = fluxSource(c.gitops);
      const source = new k8s.apiextensions.CustomResource(`${name}-source`, src, {
        parent: this,
        provider,
        dependsOn: this.release ? [this.release] : [],
      });
      // What the rendered tree cannot hold: the Kustomizations substitute it after their build, so a
      // rotated database password rolls PostgreSQL and the apps under GitOps too (docs/pulumi.md).
      const revision = pulumi.output(args.passwordRevision ?? '');
      const revisions = new k8s.core.v1.ConfigMap(
        `${name}-revisions`,
        {
          metadata: { name: REVISIONS_CONFIGMAP, namespace: FLUX_NAMESPACE },
          data: { [DATABASE_PASSWORD_REVISION_VAR]: revision },
        },
        { parent: this, provider, dependsOn: this.release ? [this.release] : [] },
      );
      const [infra, apps] = fluxKustomizations(c, c.gitops, args.cluster);
      const ready = (k: typeof infra): k8s.apiextensions.CustomResourceArgs => ({
        ...k,
        metadata: {
          ...k.metadata,
          annotations: {
            ...k.metadata?.annotations,
            // pulumi-kubernetes waits for this condition on custom resources (docs/pulumi.md, Lifecycle).
            'pulumi.com/waitFor': 'condition=Ready',
            // Flux reconciles at once when this value changes, not at the next interval.
            'reconcile.fluxcd.io/requestedAt': revision,
          },
        },
      });
      const wait = { create: KUSTOMIZATION_WAIT, update: KUSTOMIZATION_WAIT };
      const infraRes = new k8s.apiextensions.CustomResource(`${name}-infrastructure`, ready(infra), {
        parent: this,
        provider,
        dependsOn: [source, revisions, ...(args.workloadPrerequisites ?? [])],
        customTimeouts: wait,
      });
      new k8s.apiextensions.CustomResource(`${name}-apps`, ready(apps), {
        parent: this,
        provider,
        dependsOn: [infraRes, revisions],
        customTimeouts: wait,
      });
      this.kustomizations = [infra.metadata!.name!, apps.metadata!.name!];
    }
    this.registerOutputs({ kustomizations: this.kustomizations });
  }
}
