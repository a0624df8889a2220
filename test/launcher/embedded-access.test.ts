/**
 * As root the embedded PostgreSQL runs as the user `postgres`, which must be able to enter every
 * folder above its data folder: a private parent is named before anything starts, with the fix.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { embeddedDirProblem, postgresAccount } from '../../apps/shared/db/embedded-access';
import { randomBasePort, removeTempDirs, startUp } from './cli-run';

const made: string[] = [];
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
  removeTempDirs();
});

function privateDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cortexiq-private-'));
  made.push(d);
  fs.chmodSync(d, 0o700);
  return d;
}

const stranger = { uid: 54321, gid: 54321 };

test('a folder others may not enter, above the data folder, is named with its mode and the fix', () => {
  const parent = privateDir();
  const problem = embeddedDirProblem(path.join(parent, 'run', 'pg'), true, stranger);
  expect(problem).toContain(`cannot enter ${parent} (mode 0700)`);
  expect(problem).toContain(`chmod o+x ${parent}`);
});

test('a folder others may enter, or missing folders below it, are fine; so is any folder when not root', () => {
  const parent = privateDir();
  expect(embeddedDirProblem(path.join(parent, 'pg'), false, stranger)).toBeUndefined();
  fs.chmodSync(parent, 0o711);
  expect(embeddedDirProblem(path.join(parent, 'not', 'yet', 'made', 'pg'), true, stranger)).toBeUndefined();
});

test("the account's own and group bits count for folders it owns or shares", () => {
  const parent = privateDir();
  const st = fs.statSync(parent);
  // mode 0700: the owner may enter, its group may not.
  expect(embeddedDirProblem(path.join(parent, 'pg'), true, { uid: st.uid, gid: 1 })).toBeUndefined();
  expect(embeddedDirProblem(path.join(parent, 'pg'), true, { uid: 54321, gid: st.gid })).toBeDefined();
  fs.chmodSync(parent, 0o710);
  expect(embeddedDirProblem(path.join(parent, 'pg'), true, { uid: 54321, gid: st.gid })).toBeUndefined();
});

test('postgresAccount reads the account from a passwd file, and says nothing when it is not there', () => {
  const file = path.join(privateDir(), 'passwd');
  fs.writeFileSync(file, 'root:x:0:0:root:/root:/bin/bash\npostgres:x:105:110::/home/postgres:/bin/sh\n');
  expect(postgresAccount(file)).toEqual({ uid: 105, gid: 110 });
  fs.writeFileSync(file, 'root:x:0:0:root:/root:/bin/bash\n');
  expect(postgresAccount(file)).toBeUndefined();
  expect(postgresAccount(path.join(path.dirname(file), 'none'))).toBeUndefined();
});

const asRoot = process.getuid?.() === 0;
if (!asRoot)
  console.log('skipping the cortexiq up case: only root runs the embedded PostgreSQL as another user');
(asRoot ? test : test.skip)(
  'cortexiq up as root with a data folder under a private folder: named before anything starts',
  async () => {
    const dataDir = path.join(privateDir(), 'run');
    const up = startUp(['--data-dir', dataDir, '--base-port', String(randomBasePort())]);
    const exit = await up.exit;
    expect(exit.code).toBe(2);
    expect(up.output()).toMatch(/macula-hub\/postgres: .*cannot enter .*\(mode 0700\)/);
    expect(up.output()).toMatch(/nothing was started/);
    expect(up.output()).not.toMatch(/starting/);
  },
  30_000,
);
