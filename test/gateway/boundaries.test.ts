/**
 * The layering rule (eslint.config.mjs; docs/protocol.md, layers) fails the lint on a deliberate
 * violation: fixture sources linted as if they were files of the client library or of an app.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

jest.setTimeout(60_000);

const ROOT = path.join(__dirname, '..', '..');

interface Fixture {
  file: string;
  source: string;
}
type Found = Array<{ severity: number; message: string }>;

/**
 * Lints every fixture in one child process: the config is an ES module, which Jest's CommonJS
 * runtime cannot load, while plain node can.
 */
function restrictedAll(fixtures: Fixture[]): Found[] {
  const script = `
    const { ESLint } = require('eslint');
    const path = require('node:path');
    const fixtures = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
    (async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const out = [];
      for (const f of fixtures) {
        const [r] = await eslint.lintText(f.source, { filePath: path.join(process.cwd(), f.file) });
        out.push(r.messages.filter((m) => m.ruleId === 'no-restricted-imports'));
      }
      process.stdout.write(JSON.stringify(out));
    })();`;
  const run = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, input: JSON.stringify(fixtures) });
  if (run.status !== 0) throw new Error(`eslint child failed: ${run.stderr.toString()}`);
  return JSON.parse(run.stdout.toString()) as Found[];
}

const imports = (file: string, ...from: string[]): Fixture => ({
  file,
  source: from.map((f, i) => `import * as x${i} from '${f}';\nexport { x${i} };\n`).join(''),
});

describe('gateway layering', () => {
  const server = ['../core/config', '../mesh/mesh', '../admin/server', '../gateway'];
  const results = restrictedAll([
    ...server.map((f) => imports('gateway/client/fixture.ts', f)),
    imports('gateway/client/fixture.ts', '../protocol/frames', '../transport/url'),
    imports('apps/homes/fixture.ts', '../../gateway/client/types'),
    imports('apps/homes/fixture.ts', '../../gateway/protocol/errors'),
    imports('apps/homes/fixture.ts', '../../gateway/client'),
  ]);

  it('refuses server code in the client library', () => {
    for (let i = 0; i < server.length; i++)
      expect(results[i]).toEqual([
        expect.objectContaining({ severity: 2, message: expect.stringContaining('no server code') }),
      ]);
  });

  it('lets the client use protocol/ and transport/', () => {
    expect(results[server.length]).toEqual([]);
  });

  it("flags an app that reaches past the client's entry, and not one that uses it", () => {
    for (const r of results.slice(server.length + 1, server.length + 3))
      expect(r).toEqual([expect.objectContaining({ message: expect.stringContaining("client's entry") })]);
    expect(results[server.length + 3]).toEqual([]);
  });
});
