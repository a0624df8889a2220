/** The image platform (issue 13, defect 5): the host's architecture unless the stack names one. */
import * as path from 'node:path';
import { hostPlatform, imagePlatform, loadStackFile, parseStackConfig } from '../../stacks';

const dev = loadStackFile('dev', path.join(__dirname, '..', '..')).config;

test('defect 5: kind nodes run the host architecture, so images are built for it', () => {
  expect(hostPlatform('x64')).toBe('linux/amd64');
  expect(hostPlatform('arm64')).toBe('linux/arm64');
  expect(imagePlatform(dev, 'arm64')).toBe('linux/arm64');
  expect(imagePlatform(dev, 'x64')).toBe('linux/amd64');
});

test('defect 5: images.platform overrides the host; a host kind cannot serve fails naming the key', () => {
  const amd = parseStackConfig({
    ...JSON.parse(JSON.stringify(dev)),
    images: { ...dev.images, platform: 'linux/amd64' },
  });
  expect(imagePlatform(amd, 'arm64')).toBe('linux/amd64');
  expect(() => hostPlatform('ppc64')).toThrow(
    "images: host architecture 'ppc64' has no kind node image (kind supports amd64 and arm64); set cortex-iq:images.platform to one of linux/amd64, linux/arm64",
  );
});
