/**
 * The image platform (issue 13, defect 5): the Docker engine's own unless the stack names one. The
 * program never derives it from Node's process.arch, which is not the engine's architecture under
 * Rosetta or with a remote DOCKER_HOST.
 */
import * as path from 'node:path';
import { imagePlatform, loadStackFile, parseStackConfig } from '../../stacks';

const dev = loadStackFile('dev', path.join(__dirname, '..', '..')).config;

test('defect 5: without images.platform no platform is chosen, whatever process.arch says', () => {
  expect(imagePlatform(dev)).toBeUndefined();
});

test('defect 5: images.platform is the platform of the builds when a stack sets it', () => {
  for (const platform of ['linux/amd64', 'linux/arm64'] as const) {
    const c = parseStackConfig({
      ...JSON.parse(JSON.stringify(dev)),
      images: { ...dev.images, platform },
    });
    expect(imagePlatform(c)).toBe(platform);
  }
});
