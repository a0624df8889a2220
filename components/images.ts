/**
 * The project's images (docs/pulumi.md, Components: Images): one build per target of the multi-target
 * Dockerfile (gateway + six apps), pushed to the registry; workloads reference the pushed digest, so a
 * rebuild rolls them.
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import {
  IMAGES,
  imagePlatform,
  imageRef,
  imageRepository,
  type ImageName,
  type StackConfig,
} from '../stacks';

export interface ImagesArgs {
  /** The typed stack (registry, prefix, tag). */
  config: StackConfig;
  /** Build context: the repository root. */
  context: string;
  /** The Dockerfile, relative to the context. */
  dockerfile?: string;
  /** Resources that must exist before pushing: the registry container, nothing that waits for clusters. */
  after?: pulumi.Resource[];
}

export class Images extends pulumi.ComponentResource {
  /** Image reference per target: `<repository>@sha256:…` once pushed. */
  readonly refs: Record<ImageName, pulumi.Output<string>>;

  constructor(name: string, args: ImagesArgs, opts?: pulumi.ComponentResourceOptions) {
    super('cortex-iq:images:Images', name, {}, opts);
    const c = args.config;
    const refs = {} as Record<ImageName, pulumi.Output<string>>;
    // The Docker engine's own platform (the kind nodes' too) unless the stack names one (stacks/platform.ts).
    const platform = imagePlatform(c);
    for (const image of IMAGES) {
      const built = new docker.Image(
        `${name}-${image}`,
        {
          imageName: imageRef(c, image),
          build: {
            context: args.context,
            dockerfile: args.dockerfile ?? 'Dockerfile',
            target: image,
            ...(platform ? { platform } : {}),
          },
          // An honest preview: the image is only built by `up`, and its digest shows as unknown.
          buildOnPreview: false,
          skipPush: false,
        },
        { parent: this, dependsOn: args.after },
      );
      // repoDigest is `<repository>@sha256:…`; keep the repository the clusters pull from.
      refs[image] = built.repoDigest.apply(
        (d) => `${imageRepository(c, image)}@${d.slice(d.indexOf('@') + 1)}`,
      );
    }
    this.refs = refs;
    this.registerOutputs({ refs: this.refs });
  }
}
