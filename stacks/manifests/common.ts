/**
 * Pieces every workload manifest shares: labels, env lists, image references, security context.
 * Manifests are plain objects typed with kubernetes-models (types only: no runtime dependency),
 * so the Pulumi components, the renderer and the schema tests all see the same objects.
 */
import type { IIoK8sApiCoreV1EnvVar as EnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IIoK8sApiCoreV1SecurityContext as SecurityContext } from 'kubernetes-models/v1/SecurityContext';
import type { IIoK8sApiCoreV1ResourceRequirements as Resources } from 'kubernetes-models/v1/ResourceRequirements';
import type { EnvSpec } from '../env';
import { registryHost } from '../kind-config';
import { APP_RESOURCES, type ImageName } from '../placement';
import type { StackConfig } from '../schema';

export const PART_OF = 'cortex-iq';

/** Labels of one workload; `selector` is the stable subset used by selectors. */
export function labels(
  name: string,
  component: string,
): { all: Record<string, string>; selector: Record<string, string> } {
  const selector = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': PART_OF };
  return { selector, all: { ...selector, 'app.kubernetes.io/component': component } };
}

export function envList(env: EnvSpec): EnvVar[] {
  return [
    ...Object.entries(env.plain).map(([name, value]) => ({ name, value })),
    ...Object.entries(env.secret).map(([name, ref]) => ({
      name,
      valueFrom: { secretKeyRef: { name: ref.secret, key: ref.key } },
    })),
  ];
}

/** Repository of one image: the local registry on kind, `images.registry` otherwise. */
export function imageRepository(c: StackConfig, image: ImageName): string {
  return `${c.images.registry ?? registryHost(c)}/${c.images.prefix}${image}`;
}

/** Tag reference; the Pulumi program replaces it with the pushed digest when it builds the image. */
export function imageRef(c: StackConfig, image: ImageName): string {
  return `${imageRepository(c, image)}:${c.images.tag}`;
}

export function resources(kind: keyof typeof APP_RESOURCES): Resources {
  const r = APP_RESOURCES[kind];
  return { requests: { cpu: r.cpu, memory: r.memory }, limits: { cpu: r.cpuLimit, memory: r.memoryLimit } };
}

/** Pod annotation whose change rolls PostgreSQL and the database apps: a revision of the database password. */
export const DATABASE_PASSWORD_ANNOTATION = 'cortexiq.io/database-password-revision';
/**
 * The Flux post-build variable that carries that revision into the rendered tree. The tree holds the
 * placeholder `${DATABASE_PASSWORD_REVISION}`; under GitOps each Kustomization substitutes it from
 * the ConfigMap Pulumi keeps in flux-system (stacks/manifests/flux.ts), and in direct delivery the
 * program sets the annotation itself (docs/pulumi.md, Lifecycle: database password rotation).
 */
export const DATABASE_PASSWORD_REVISION_VAR = 'DATABASE_PASSWORD_REVISION';

/** The pod annotations of a workload that reads the database password, as the rendered tree holds them. */
export function databasePasswordAnnotations(): Record<string, string> {
  return { [DATABASE_PASSWORD_ANNOTATION]: `\${${DATABASE_PASSWORD_REVISION_VAR}}` };
}

/** The image's non-root user (Dockerfile `USER 10001`); no privilege escalation, no capabilities. */
export const NON_ROOT: SecurityContext = {
  runAsNonRoot: true,
  runAsUser: 10001,
  runAsGroup: 10001,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
};
