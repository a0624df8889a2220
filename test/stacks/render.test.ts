/* eslint-disable @typescript-eslint/no-explicit-any -- mock inputs and parsed YAML are untyped by nature */
/**
 * The rendered GitOps tree: deterministic, no secrets, every object valid, and `kubectl kustomize`
 * of each cluster layer yields exactly the objects the model derives (where kubectl exists).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { run, writeTree } from '../../cli/commands/render';
import { clusterWorkloads, deriveTopology, loadStackFile, renderGitOpsTree } from '../../stacks';
import { validateObject } from '../pulumi/validate-k8s';

const root = path.join(__dirname, '..', '..');
const dev = loadStackFile('dev', root).config;
const kubectl = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => fs.existsSync(p));

const docs = (text: string): any[] =>
  parseAllDocuments(text)
    .map((d) => d.toJS())
    .filter(Boolean);
/** Comparable form: env sorted by name, the overlay's cluster label dropped. */
function normal(o: any): any {
  const c = JSON.parse(JSON.stringify(o));
  delete c.metadata.labels?.['cortexiq.io/cluster'];
  delete c.metadata.namespace;
  for (const ct of c.spec?.template?.spec?.containers ?? [])
    ct.env?.sort((a: any, b: any) => a.name.localeCompare(b.name));
  return c;
}

test('the tree is deterministic, has the cluster/base layout and holds no secret value', () => {
  const a = renderGitOpsTree(dev, 'dev');
  expect([...renderGitOpsTree(dev, 'dev')]).toEqual([...a]);
  for (const c of ['macula-hub', 'be-antwerp', 'be-brabant', 'be-east-flanders']) {
    expect(a.has(`clusters/${c}/infrastructure/kustomization.yaml`)).toBe(true);
    expect(a.has(`clusters/${c}/apps/kustomization.yaml`)).toBe(true);
  }
  for (const b of [
    'gateway',
    'postgres',
    'simulation',
    'homes',
    'utilities',
    'projections',
    'queries',
    'dashboard',
  ])
    expect(a.has(`base/${b}/kustomization.yaml`)).toBe(true);
  const all = [...a.values()].join('\n');
  expect(all).not.toMatch(/kind: Secret\b|stringData|BEGIN .*PRIVATE KEY|postgres:\/\/cortexiq:/);
  for (const [file, text] of a)
    if (file.startsWith('base/') && !file.endsWith('kustomization.yaml')) docs(text).forEach(validateObject);
});

test("the rendered dashboard polls every gateway's admin API where the hub reaches it; admin tokens are Secret references only", () => {
  for (const stack of ['dev', 'staging']) {
    const config = loadStackFile(stack, root).config;
    const tree = renderGitOpsTree(config, stack);
    const envIn = (file: string): any[] => docs(tree.get(file)!)[0].spec.template.spec.containers[0].env;
    const hub = config.clusters.find((c) => c.role === 'hub')!.name;
    const urls = envIn('base/dashboard/deployment.yaml')
      .find((e) => e.name === 'GATEWAY_ADMIN_URLS')
      .value.split(',')
      .map((u: string) => new URL(u));
    const svc = docs(tree.get('base/gateway/service.yaml')!)[0];
    const admin = svc.spec.ports.find((p: any) => p.name === 'admin');
    // The hub's own gateway through its Service; the others at the hosts the hub's gateway dials
    // (its overlay's MESH_PEERS), on the admin port their Service exposes there.
    expect([stack, urls[0].origin]).toEqual([stack, `http://${svc.metadata.name}:${admin.port}`]);
    const dialled = envIn(`clusters/${hub}/infrastructure/gateway-env.yaml`)
      .find((e) => e.name === 'MESH_PEERS')
      .value.split(',')
      .map((u: string) => new URL(u).hostname);
    expect(dialled).toHaveLength(config.clusters.length - 1);
    expect(urls.slice(1).map((u: URL) => u.hostname)).toEqual(dialled);
    expect(urls.slice(1).map((u: URL) => Number(u.port))).toEqual(
      dialled.map(() => admin.nodePort ?? admin.port),
    );
    const ref = { secretKeyRef: { name: 'cortexiq-admin', key: 'token' } };
    expect(envIn('base/gateway/deployment.yaml').find((e) => e.name === 'ADMIN_TOKEN')).toEqual({
      name: 'ADMIN_TOKEN',
      valueFrom: ref,
    });
    expect(envIn('base/dashboard/deployment.yaml').find((e) => e.name === 'GATEWAY_ADMIN_TOKEN')).toEqual({
      name: 'GATEWAY_ADMIN_TOKEN',
      valueFrom: ref,
    });
    for (const [file, text] of tree)
      for (const line of text.split('\n').filter((l) => /ADMIN_TOKEN/.test(l)))
        expect([file, line.trim()]).toEqual([
          file,
          expect.stringMatching(/^- name: (GATEWAY_)?ADMIN_TOKEN$/),
        ]);
  }
});

const maybe = kubectl ? test : test.skip;
if (!kubectl)
  process.stdout.write('render.test: kubectl not found, skipping the `kubectl kustomize` build\n');

maybe(
  '`kubectl kustomize` builds every cluster layer into exactly the model objects, all schema-valid',
  () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cortexiq-render-'));
    try {
      writeTree(renderGitOpsTree(dev, 'dev'), out);
      for (const node of deriveTopology(dev).clusters) {
        const w = clusterWorkloads(dev, node);
        for (const layer of ['infrastructure', 'apps'] as const) {
          const built = docs(
            execFileSync(kubectl!, ['kustomize', path.join(out, 'clusters', node.name, layer)], {
              encoding: 'utf8',
            }),
          );
          built.forEach(validateObject);
          expect(
            built.every(
              (o) =>
                o.metadata.namespace === 'cortex-iq' &&
                o.metadata.labels['cortexiq.io/cluster'] === node.name,
            ),
          ).toBe(true);
          const want = w[layer].flatMap((g) => g.objects);
          const key = (o: any) => `${o.kind}/${o.metadata.name}`;
          expect(built.map(key).sort()).toEqual(want.map(key).sort());
          for (const o of want) expect(normal(built.find((b) => key(b) === key(o)))).toEqual(normal(o));
        }
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  },
  // Eight kubectl processes (each ~0.5 s alone) on a 2-core machine shared with benchmarks: a limit
  // that load cannot reach, rather than jest's 30 s default.
  120_000,
);

test('the command writes the tree, prunes its own stale files and names the problem of a bad stack', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cortexiq-render-cli-'));
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    fs.mkdirSync(path.join(out, 'base', 'old'), { recursive: true });
    fs.writeFileSync(
      path.join(out, 'base', 'old', 'x.yaml'),
      '# Generated by `cortexiq render --stack dev` from Pulumi.dev.yaml; do not edit.\n',
    );
    fs.writeFileSync(path.join(out, 'keep.yaml'), 'mine: true\n');
    await run(['--stack', 'dev', '--out', out, '--dir', root]);
    expect(fs.existsSync(path.join(out, 'clusters', 'macula-hub', 'apps', 'kustomization.yaml'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'base', 'old', 'x.yaml'))).toBe(false);
    expect(fs.existsSync(path.join(out, 'keep.yaml'))).toBe(true);
    await expect(run(['--stack', 'nope', '--dir', root])).rejects.toThrow(
      /Pulumi\.nope\.yaml.*stack file not found/,
    );
    await expect(run(['--bogus'])).rejects.toThrow(/Unknown option '--bogus'/);
  } finally {
    write.mockRestore();
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('the committed deploy/<stack> trees are what the model renders today', () => {
  for (const stack of ['dev', 'staging']) {
    const tree = renderGitOpsTree(loadStackFile(stack, root).config, stack);
    for (const [rel, content] of tree)
      expect([
        stack,
        rel,
        fs.readFileSync(path.join(root, 'deploy', stack, rel), 'utf8') === content,
      ]).toEqual([stack, rel, true]);
  }
});
