/**
 * Creates the Pulumi resource for one manifest built by `stacks/manifests` (the same objects the
 * GitOps renderer writes), in a namespace, optionally with its container image replaced by a
 * digest reference that is only known once the image is pushed.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { Workload } from '../stacks';

export interface ObjectOptions {
  namespace: pulumi.Input<string>;
  /** Replaces the image of every container (a digest reference from Images). */
  image?: pulumi.Input<string>;
  /** Added to the pod template's annotations: a changed value rolls the pods. */
  podAnnotations?: Record<string, pulumi.Input<string>>;
}

/** The object's spec with its pod template changed as `opts` says (Deployments and StatefulSets). */
function podSpec(o: Workload, opts: ObjectOptions): unknown {
  if (o.kind !== 'Deployment' && o.kind !== 'StatefulSet') return o.spec;
  if (opts.image === undefined && opts.podAnnotations === undefined) return o.spec;
  const tpl = o.spec!.template;
  const containers = tpl.spec!.containers.map((c) =>
    opts.image === undefined ? c : { ...c, image: opts.image },
  );
  const annotations = { ...tpl.metadata?.annotations, ...opts.podAnnotations };
  return {
    ...o.spec,
    template: { ...tpl, metadata: { ...tpl.metadata, annotations }, spec: { ...tpl.spec, containers } },
  };
}

/**
 * How long Pulumi waits for a Deployment or StatefulSet to become ready (its await logic) before the
 * update fails: a first pull on a laptop can take minutes; a crash loop should not hold `up` forever.
 */
export const WORKLOAD_TIMEOUTS = { create: '10m', update: '10m', delete: '5m' };

export function createObject(
  name: string,
  o: Workload,
  opts: ObjectOptions,
  ropts: pulumi.CustomResourceOptions,
): pulumi.CustomResource {
  const metadata = { ...o.metadata, namespace: opts.namespace };
  const spec = podSpec(o, opts);
  const waited = { customTimeouts: WORKLOAD_TIMEOUTS, ...ropts };
  switch (o.kind) {
    case 'Deployment':
      return new k8s.apps.v1.Deployment(
        name,
        { metadata, spec: spec as k8s.types.input.apps.v1.DeploymentSpec },
        waited,
      );
    case 'StatefulSet':
      return new k8s.apps.v1.StatefulSet(
        name,
        { metadata, spec: spec as k8s.types.input.apps.v1.StatefulSetSpec },
        waited,
      );
    case 'Service':
      return new k8s.core.v1.Service(
        name,
        { metadata, spec: spec as k8s.types.input.core.v1.ServiceSpec },
        ropts,
      );
    case 'PersistentVolumeClaim':
      // A claim of a WaitForFirstConsumer class (kind's) binds only once its pod exists, and the pod
      // waits for the claim: awaiting "Bound" here would never end (pulumi-kubernetes #895, #4179).
      return new k8s.core.v1.PersistentVolumeClaim(
        name,
        {
          metadata: { ...metadata, annotations: { ...metadata.annotations, 'pulumi.com/skipAwait': 'true' } },
          spec: spec as k8s.types.input.core.v1.PersistentVolumeClaimSpec,
        },
        ropts,
      );
  }
}

/** A Secret whose every value is a Pulumi secret, whatever the caller passed. */
export function createSecret(
  name: string,
  secretName: string,
  namespace: pulumi.Input<string>,
  data: Record<string, pulumi.Input<string>>,
  ropts: pulumi.CustomResourceOptions,
  type = 'Opaque',
): k8s.core.v1.Secret {
  const stringData = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, pulumi.secret(v)]));
  return new k8s.core.v1.Secret(name, { metadata: { name: secretName, namespace }, type, stringData }, ropts);
}
