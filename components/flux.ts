/**
 * Flux on one cluster (infra.md §3 Flux): the fluxcd-community `flux2` chart with the source,
 * kustomize, helm and notification controllers, and, when the stack delivers by GitOps, the source
 * of the rendered tree and the Kustomizations `infrastructure` and `apps` (apps dependsOn
 * infrastructure), built by `stacks/manifests/flux.ts`.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { FLUX_NAMESPACE, fluxHelmValues, fluxKustomizations, fluxSource, type StackConfig } from '../stacks';

export const FLUX_CHART_REPO = 'https://fluxcd-community.github.io/helm-charts';

export interface FluxArgs {
  /** The typed stack (Flux version, delivery, GitOps source). */
  config: StackConfig;
  /** Name of the cluster (its folder under `clusters/` in the rendered tree). */
  cluster: string;
  /** Provider of the cluster. */
  provider: k8s.Provider;
}

export class Flux extends pulumi.ComponentResource {
  /** The Helm release of Flux. */
  readonly release: k8s.helm.v3.Release;
  /** Names of the GitOps Kustomizations (empty in direct delivery). */
  readonly kustomizations: string[];

  constructor(name: string, args: FluxArgs, opts?: pulumi.ComponentResourceOptions) {
    super('cortex-iq:flux:Flux', name, {}, opts);
    const { config: c, provider } = args;
    const ns = new k8s.core.v1.Namespace(
      `${name}-ns`,
      { metadata: { name: FLUX_NAMESPACE } },
      { parent: this, provider },
    );
    this.release = new k8s.helm.v3.Release(
      `${name}-release`,
      {
        name: 'flux2',
        chart: 'flux2',
        version: c.flux.chartVersion,
        repositoryOpts: { repo: FLUX_CHART_REPO },
        namespace: FLUX_NAMESPACE,
        values: fluxHelmValues(),
        description: `Flux ${c.flux.version}`,
        atomic: true,
      },
      { parent: this, provider, dependsOn: [ns] },
    );
    this.kustomizations = [];
    if (c.delivery === 'gitops') {
      if (!c.gitops) throw new Error(`Flux '${name}': delivery 'gitops' needs cortex-iq:gitops`);
      const src = fluxSource(c.gitops);
      const source = new k8s.apiextensions.CustomResource(`${name}-source`, src, {
        parent: this,
        provider,
        dependsOn: [this.release],
      });
      const [infra, apps] = fluxKustomizations(c, c.gitops, args.cluster);
      const infraRes = new k8s.apiextensions.CustomResource(`${name}-infrastructure`, infra, {
        parent: this,
        provider,
        dependsOn: [source],
      });
      new k8s.apiextensions.CustomResource(`${name}-apps`, apps, {
        parent: this,
        provider,
        dependsOn: [infraRes],
      });
      this.kustomizations = [infra.metadata!.name!, apps.metadata!.name!];
    }
    this.registerOutputs({ kustomizations: this.kustomizations });
  }
}
