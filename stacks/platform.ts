/**
 * The platform the images are built for (docs/pulumi.md, Lifecycle: Images). kind nodes are
 * containers of the Docker engine that also builds the images, so an image built without a platform
 * (Docker's default: the engine's own) runs on them natively: arm64 on Apple silicon or arm64 Linux,
 * amd64 elsewhere. Node's `process.arch` is not that engine's architecture (an x64 Node under Rosetta
 * on an arm64 Mac, a remote DOCKER_HOST), so the program never derives a platform from it. A stack
 * whose clusters run another architecture than its Docker engine names one with `images.platform`.
 */
import { PLATFORMS, type StackConfig } from './schema';

export type Platform = (typeof PLATFORMS)[number];

/** `images.platform` when the stack sets it; otherwise undefined: the Docker engine's own platform. */
export function imagePlatform(c: StackConfig): Platform | undefined {
  return c.images.platform;
}
