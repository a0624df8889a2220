/**
 * Flux objects of the GitOps delivery (docs/pulumi.md, Components: Flux; GitOps tree): the source of the
 * rendered tree and the Kustomizations `infrastructure` and `apps` of one cluster; apps depend on
 * infrastructure, so PostgreSQL and the gateway are ready before any app starts.
 */
import type { IGitRepository } from '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/GitRepository';
import type { IOCIRepository } from '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1beta2/OCIRepository';
import type { IKustomization } from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization';
import type { StackConfig } from '../schema';

export const FLUX_NAMESPACE = 'flux-system';
export const SOURCE_NAME = 'cortex-iq';
/**
 * ConfigMap in flux-system whose keys both Kustomizations substitute after their build (Flux
 * post-build substitution, `${VAR}` only): the revisions of the stack's secrets that the rendered
 * tree cannot hold (stacks/manifests/common.ts, DATABASE_PASSWORD_REVISION_VAR). Pulumi writes it.
 */
export const REVISIONS_CONFIGMAP = 'cortex-iq-revisions';
/** Controllers Flux runs on every cluster (the image automation controllers are not needed). */
export const FLUX_CONTROLLERS = [
  'source-controller',
  'kustomize-controller',
  'helm-controller',
  'notification-controller',
] as const;

type Gitops = NonNullable<StackConfig['gitops']>;

export function fluxSource(g: Gitops): IGitRepository | IOCIRepository {
  const metadata = { name: SOURCE_NAME, namespace: FLUX_NAMESPACE };
  if (g.source === 'git') {
    return {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata,
      spec: { url: g.url, interval: g.interval, ref: { branch: g.ref } },
    };
  }
  // The local registry is plain HTTP on the kind network.
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1beta2',
    kind: 'OCIRepository',
    metadata,
    spec: { url: g.url, interval: g.interval, ref: { tag: g.ref }, insecure: true },
  };
}

/** `./deploy` + `clusters/<cluster>/<layer>`, normalised the way Flux expects (`./a/b`). */
export function layerPath(g: Gitops, cluster: string, layer: 'infrastructure' | 'apps'): string {
  const base = g.path.replace(/^\.?\/?/, '').replace(/\/$/, '');
  return `./${[base, 'clusters', cluster, layer].filter((s) => s !== '').join('/')}`;
}

export function fluxKustomizations(
  c: StackConfig,
  g: Gitops,
  cluster: string,
): [IKustomization, IKustomization] {
  const sourceRef = {
    kind: g.source === 'git' ? ('GitRepository' as const) : ('OCIRepository' as const),
    name: SOURCE_NAME,
  };
  const common = {
    interval: '10m',
    retryInterval: '1m',
    prune: true,
    wait: true,
    timeout: '5m',
    sourceRef,
    targetNamespace: c.namespace,
    postBuild: { substituteFrom: [{ kind: 'ConfigMap' as const, name: REVISIONS_CONFIGMAP }] },
  };
  return [
    {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'infrastructure', namespace: FLUX_NAMESPACE },
      spec: { ...common, path: layerPath(g, cluster, 'infrastructure') },
    },
    {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'apps', namespace: FLUX_NAMESPACE },
      spec: { ...common, path: layerPath(g, cluster, 'apps'), dependsOn: [{ name: 'infrastructure' }] },
    },
  ];
}

/** Helm values of the fluxcd-community `flux2` chart: exactly FLUX_CONTROLLERS. */
export function fluxHelmValues(): Record<string, unknown> {
  return {
    sourceController: { create: true },
    kustomizeController: { create: true },
    helmController: { create: true },
    notificationController: { create: true },
    imageAutomationController: { create: false },
    imageReflectionController: { create: false },
  };
}
