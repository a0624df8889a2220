/** The one multi-target Dockerfile: a target per image the program builds, `npm ci`, a non-root user. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IMAGES } from '../../stacks';

const text = fs.readFileSync(path.join(__dirname, '..', '..', 'Dockerfile'), 'utf8');
const stages = [...text.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)$/gim)].map((m) => m[1]);

test('one target per image, each running the CLI command of its image', () => {
  for (const image of IMAGES) {
    expect(stages).toContain(image);
    const cmd = image === 'gateway' ? '["gateway"]' : `["app", "${image}"]`;
    expect(text).toMatch(
      new RegExp(
        `FROM runtime AS ${image}\\n(?:EXPOSE .*\\n)?(?:#.*\\n)?(?:ENTRYPOINT .*\\n)?CMD ${cmd.replace(/[[\]]/g, '\\$&')}`,
      ),
    );
  }
  expect(text).toContain('ENTRYPOINT ["node", "bin/cortexiq.js"]');
});

test('each image with tuned Node flags runs with them (launcher/node-flags.ts)', () => {
  const { NODE_FLAGS } = require('../../launcher/node-flags') as { NODE_FLAGS: Record<string, string[]> };
  expect(Object.keys(NODE_FLAGS).sort()).toEqual(['gateway', 'projections']);
  for (const [image, flags] of Object.entries(NODE_FLAGS)) {
    const entry = JSON.stringify(['node', ...flags, 'bin/cortexiq.js']).replace(/,/g, ', ');
    const cmd = image === 'gateway' ? '["gateway"]' : `["app", "${image}"]`;
    expect(text).toMatch(
      new RegExp(
        `FROM runtime AS ${image}\\n[^F]*?ENTRYPOINT ${entry.replace(/[[\]]/g, '\\$&')}\\nCMD ${cmd.replace(/[[\]]/g, '\\$&')}`,
      ),
    );
  }
});

test('installs with npm ci, builds, prunes dev dependencies and runs as a non-root user', () => {
  expect(text).toMatch(/RUN npm ci && npm prune --omit=dev/);
  expect(text).toMatch(/COPY --from=build \/app\/dist \.\/dist/);
  expect(text).toMatch(/^USER 10001:10001$/m);
  expect(text).not.toMatch(/^USER (root|0)\b/m);
});

/** Whether a .dockerignore pattern excludes `file` or a folder above it (`*` within one path segment). */
function ignored(patterns: string[], file: string): boolean {
  const parts = file.split('/');
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  return patterns.some((p) => {
    const re = new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
    return prefixes.some((x) => re.test(x));
  });
}

test("issue 13 (smaller): the build context leaves out the host's native build output, so the image compiles its own addon", () => {
  const patterns = fs
    .readFileSync(path.join(__dirname, '..', '..', '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  expect(ignored(patterns, 'native/quic/build/Release/cortexiq_quic.node')).toBe(true);
  expect(ignored(patterns, 'native/quic/src/addon.cc')).toBe(false);
  expect(ignored(patterns, 'native/quic/binding.gyp')).toBe(false);
});
