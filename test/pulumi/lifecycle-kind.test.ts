/* eslint-disable @typescript-eslint/no-explicit-any -- mock inputs are untyped by nature */
/**
 * What a real `pulumi up`, `destroy` and re-run of the dev stack need from the kind side, asserted on
 * the inputs and resource options the program registers under mocks (issue 13, defects 1–5, 8–10).
 * The program is evaluated with `process.arch` reporting x64, as an x64 Node under Rosetta on an arm64
 * Mac does: the image platform must not follow it (defect 5).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { parse as parseYaml } from 'yaml';
import { dependencies, ofType, optionsOf, resources, settle, setupMocks, stackConfigMap } from './harness';
import { Images } from '../../components/images';
import { loadStackFile, parseStackConfig } from '../../stacks';

setupMocks('dev');
pulumi.runtime.setAllConfig(stackConfigMap('dev'));
const arch = Object.getOwnPropertyDescriptor(process, 'arch')!;
Object.defineProperty(process, 'arch', { value: 'x64' });
try {
  require('../../index');
} finally {
  Object.defineProperty(process, 'arch', arch);
}

const root = path.join(__dirname, '..', '..');
const CLUSTERS = ['macula-hub', 'be-antwerp', 'be-brabant', 'be-east-flanders'];
const commands = () => ofType('command:local:Command');
const command = (name: string) => commands().find((r) => r.name === name)!;

beforeAll(async () => {
  await settle();
}, 120_000);

test('defect 1: @pulumi/command is pinned to a published release of the provider plugin line 1.x, and every Command asks the engine for exactly it', () => {
  const pin = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).dependencies[
    '@pulumi/command'
  ] as string;
  // An exact version: a range let npm resolve the mis-published 4.5.0, for which no plugin exists.
  expect(pin).toMatch(/^1\.\d+\.\d+$/);
  const installed = JSON.parse(
    fs.readFileSync(path.join(root, 'node_modules/@pulumi/command/package.json'), 'utf8'),
  );
  expect(installed.version).toBe(pin);
  // The plugin the package's install script and the engine fetch is the same release.
  expect(installed.scripts.install).toMatch(new RegExp(`resource command v?${pin.replace(/\./g, '\\.')}$`));
  expect(commands().length).toBeGreaterThan(0);
  for (const c of commands()) expect([c.name, optionsOf(c.name).version]).toEqual([c.name, pin]);
});

test('defect 2: cluster, registry container and network attachment are replaced delete-first, and a create adopts only an object carrying the same settings', () => {
  const replacedDeleteFirst = [
    ...CLUSTERS.map((c) => `cortex-iq-${c}-create`),
    'cortex-iq-registry-container',
    'cortex-iq-registry-network',
  ];
  for (const name of replacedDeleteFirst)
    expect([name, optionsOf(name).deleteBeforeReplace]).toEqual([name, true]);
  const create = command('cortex-iq-macula-hub-create').inputs.create as string;
  expect(create).toContain('/kind/cortexiq-config.sha256');
  expect(create).toMatch(/exit 1/);
  const registry = command('cortex-iq-registry-container').inputs.create as string;
  expect(registry).toContain('cortexiq.io/registry-settings');
  expect(registry).toMatch(/exit 1/);
});

test('defect 3: each kind provider is tied to its cluster create id, so a recreated cluster replaces the provider', () => {
  for (const c of CLUSTERS) {
    const provider = ofType('pulumi:providers:kubernetes').find((p) => p.name === `cortex-iq-${c}-provider`)!;
    expect(provider.inputs.clusterIdentifier).toBe(`kind-${c}/cortex-iq-${c}-create-id`);
    expect(dependencies.get(`cortex-iq-${c}-provider`)).toContain(`cortex-iq-${c}-create`);
  }
});

test('defect 4: hosts.toml is rewritten when its cluster is recreated, and the network attachment when the registry container is', () => {
  for (const c of CLUSTERS)
    expect(command(`cortex-iq-registry-hosts-${c}`).inputs.triggers).toContain(`cortex-iq-${c}-create-id`);
  expect(command('cortex-iq-registry-network').inputs.triggers).toContain('cortex-iq-registry-container-id');
});

test("defect 5: images are built for the Docker engine's own platform (the kind nodes'), never a platform forced by the program or taken from Node's process.arch", () => {
  const images = ofType('docker:index/image:Image').filter((i) => i.name.startsWith('cortex-iq-'));
  expect(images).toHaveLength(7);
  // No platform: Docker builds for its engine, whose containers the kind nodes are (arm64 on Apple
  // silicon even when Node itself is x64 under Rosetta, as in this evaluation).
  for (const i of images) expect([i.name, i.inputs.build.platform]).toEqual([i.name, undefined]);
});

test('defect 5: images.platform, when a stack sets it, is the platform of every build', async () => {
  const dev = loadStackFile('dev', root).config;
  const config = parseStackConfig({
    ...JSON.parse(JSON.stringify(dev)),
    images: { ...dev.images, platform: 'linux/arm64' },
  });
  new Images('p', { config, context: root });
  await settle(50_000);
  const images = ofType('docker:index/image:Image').filter((i) => i.name.startsWith('p-'));
  expect(images).toHaveLength(7);
  for (const i of images) expect([i.name, i.inputs.build.platform]).toEqual([i.name, 'linux/arm64']);
}, 60_000);

test('defect 8: kind providers drop unreachable objects on destroy, and every object on a kind cluster is deleted with the cluster', () => {
  // Provider config reaches the engine as strings.
  for (const p of ofType('pulumi:providers:kubernetes'))
    expect(String(p.inputs.deleteUnreachable)).toBe('true');
  const onClusters = resources.filter((r) => r.type.startsWith('kubernetes:'));
  expect(onClusters.length).toBeGreaterThan(40);
  for (const r of onClusters) {
    const cluster = CLUSTERS.find((c) => (r.provider ?? '').includes(`cortex-iq-${c}-provider`));
    expect([r.name, optionsOf(r.name).deletedWith]).toEqual([r.name, `cortex-iq-${cluster}-create`]);
  }
});

test('defect 9: every host port mapping of the hub listens on 127.0.0.1 by default', () => {
  const hub = parseYaml(command('cortex-iq-macula-hub-create').inputs.stdin);
  const mappings = hub.nodes[0].extraPortMappings as any[];
  expect(mappings.length).toBeGreaterThanOrEqual(4);
  for (const m of mappings) expect(m.listenAddress).toBe('127.0.0.1');
});

test('defect 10: image builds wait for the registry container alone, not for any cluster', () => {
  for (const i of ofType('docker:index/image:Image').filter((x) => x.name.startsWith('cortex-iq-'))) {
    const deps = dependencies.get(i.name)!;
    expect(deps).toContain('cortex-iq-registry-container');
    expect(deps.filter((d) => /-create$|-network$|-hosts-|-hosting-/.test(d))).toEqual([]);
  }
});

test('the kind node image is pinned by digest in every cluster config', () => {
  for (const c of CLUSTERS) {
    const cfg = parseYaml(command(`cortex-iq-${c}-create`).inputs.stdin);
    expect(cfg.nodes[0].image).toMatch(/^kindest\/node:v1\.30\.\d+@sha256:[0-9a-f]{64}$/);
  }
});
