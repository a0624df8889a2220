/** Validates a Kubernetes object against the Kubernetes and Flux schemas of kubernetes-models. */

const FLUX_GROUPS = [
  'source.toolkit.fluxcd.io',
  'kustomize.toolkit.fluxcd.io',
  'helm.toolkit.fluxcd.io',
  'notification.toolkit.fluxcd.io',
];

function modelModule(apiVersion: string): Record<string, new (data: unknown) => { validate(): void }> {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (FLUX_GROUPS.includes(group!)) return require(`@kubernetes-models/flux-cd/${group}/${version}`);
  return require(group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`);
}

/** Throws with the object's kind/name and the schema error when the object is invalid. */
export function validateObject(obj: {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string };
}): void {
  const Model = modelModule(obj.apiVersion)[obj.kind];
  if (!Model) throw new Error(`no schema for ${obj.apiVersion} ${obj.kind}`);
  try {
    new Model(obj).validate();
  } catch (err) {
    throw new Error(`${obj.kind} ${obj.metadata?.name ?? '?'}: ${(err as Error).message}`);
  }
}
