/**
 * The platform the images are built for. kind nodes run the host's architecture (kind's node images
 * support amd64 and arm64 and must match the host), so a build for another platform would either
 * run under emulation or fail with `exec format error`; existing clusters may say otherwise with
 * `images.platform`.
 */
import { PLATFORMS, type StackConfig } from './schema';

export type Platform = (typeof PLATFORMS)[number];

/** Docker platform of a Node.js `process.arch`. Throws naming the architecture when none fits. */
export function hostPlatform(arch: string = process.arch): Platform {
  if (arch === 'x64') return 'linux/amd64';
  if (arch === 'arm64') return 'linux/arm64';
  throw new Error(
    `images: host architecture '${arch}' has no kind node image (kind supports amd64 and arm64); set cortex-iq:images.platform to one of ${PLATFORMS.join(', ')}`,
  );
}

/** `images.platform` when the stack sets it, else the host's. */
export function imagePlatform(c: StackConfig, arch: string = process.arch): Platform {
  return c.images.platform ?? hostPlatform(arch);
}
