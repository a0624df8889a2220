/* eslint-disable @typescript-eslint/no-explicit-any -- mock inputs and parsed YAML are untyped by nature */
/** Bad stacks fail with every problem listed with its key path (issue 3 "Bad input"), message by message. */
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import * as fs from 'node:fs';
import { loadStackFile, parseStackConfig, StackConfigError, type StackIssue } from '../../stacks';

const root = path.join(__dirname, '..', '..');
function devRaw(): Record<string, any> {
  const cfg = (
    parseYaml(fs.readFileSync(path.join(root, 'Pulumi.dev.yaml'), 'utf8')) as {
      config: Record<string, unknown>;
    }
  ).config;
  return Object.fromEntries(Object.entries(cfg).map(([k, v]) => [k.replace(/^cortex-iq:/, ''), v]));
}
function issuesOf(raw: unknown): StackIssue[] {
  try {
    parseStackConfig(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(StackConfigError);
    return [...(err as StackConfigError).issues];
  }
  throw new Error('expected the stack to be rejected');
}

test('the shipped stacks are valid', () => {
  expect(loadStackFile('dev', root).config.clusters).toHaveLength(4);
  expect(loadStackFile('staging', root).config.target).toBe('existing');
});

test('unknown role', () => {
  const raw = devRaw();
  raw.clusters[2].role = 'edgy';
  expect(issuesOf(raw)).toEqual([
    { path: 'cortex-iq:clusters[2].role', message: "unknown role 'edgy' (expected one of hub, edge)" },
  ]);
});

test('duplicate cluster names and regions', () => {
  const raw = devRaw();
  raw.clusters[3].name = 'be-antwerp';
  raw.clusters[3].region = 'antwerp';
  expect(issuesOf(raw)).toEqual([
    {
      path: 'cortex-iq:clusters[3].name',
      message: "duplicate cluster name 'be-antwerp' (already used by clusters[1])",
    },
    {
      path: 'cortex-iq:clusters[3].region',
      message: "duplicate region 'antwerp' (already used by clusters[1])",
    },
  ]);
});

test('a custom layout that leaves a gateway unreachable', () => {
  const raw = devRaw();
  raw.mesh = {
    layout: 'custom',
    links: [
      ['macula-hub', 'be-antwerp'],
      ['be-antwerp', 'be-brabant'],
    ],
  };
  expect(issuesOf(raw)).toEqual([
    {
      path: 'cortex-iq:mesh.links',
      message: "gateway 'be-east-flanders' is unreachable in layout 'custom' (no path from 'macula-hub')",
    },
  ]);
});

test('an existing cluster without a gateway address is unreachable for its peers', () => {
  const raw = (
    parseYaml(fs.readFileSync(path.join(root, 'Pulumi.staging.yaml'), 'utf8')) as {
      config: Record<string, any>;
    }
  ).config;
  const flat: Record<string, any> = Object.fromEntries(
    Object.entries(raw).map(([k, v]) => [k.replace(/^cortex-iq:/, ''), v]),
  );
  delete flat.clusters[1].gatewayAddress;
  expect(issuesOf(flat)).toEqual([
    {
      path: 'cortex-iq:clusters[1].gatewayAddress',
      message:
        "missing required key (gateway 'be-antwerp' is unreachable: its peers cannot dial it on an existing cluster without an address)",
    },
  ]);
});

test('port clashes', () => {
  const raw = devRaw();
  raw.ports = { admin: 9443, adminNodePort: 30000, health: 4000 };
  raw.registry = { hostPort: 30080 };
  expect(issuesOf(raw)).toEqual([
    { path: 'cortex-iq:ports.admin', message: 'port clash: 9443 is already used by ports.gateway' },
    { path: 'cortex-iq:ports.health', message: 'port clash: 4000 is already used by ports.dashboard' },
    {
      path: 'cortex-iq:ports.adminNodePort',
      message: 'port clash: 30000 is already used by ports.dashboardNodePort',
    },
    {
      path: 'cortex-iq:registry.hostPort',
      message: 'port clash: host port 30080 is also mapped by the hub cluster',
    },
  ]);
});

test('bad image tag', () => {
  const raw = devRaw();
  raw.images.tag = 'v1/latest';
  expect(issuesOf(raw)).toEqual([
    {
      path: 'cortex-iq:images.tag',
      message: "expected a Docker tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}) (got 'v1/latest')",
    },
  ]);
});

test('missing required keys', () => {
  const raw = devRaw();
  delete raw.realm;
  delete raw.flux;
  delete raw.clusters[1].region;
  expect(issuesOf(raw)).toEqual([
    { path: 'cortex-iq:realm', message: 'missing required key (expected string)' },
    { path: 'cortex-iq:flux', message: 'missing required key (expected object)' },
    {
      path: 'cortex-iq:clusters[1].region',
      message: 'missing required key (every edge cluster has a region)',
    },
  ]);
});

test('every problem is reported together, schema and cross-field alike', () => {
  const raw = devRaw();
  raw.clusters[2].role = 'edgy';
  raw.clusters[3].name = 'be-antwerp';
  raw.images.tag = '-bad';
  raw.ports = { gateway: 8080 };
  raw.typo = 1;
  const issues = issuesOf(raw);
  expect(issues.map((i) => i.path)).toEqual([
    'cortex-iq:clusters[2].role',
    'cortex-iq:images.tag',
    'cortex-iq:typo',
    'cortex-iq:clusters[3].name',
    'cortex-iq:ports.admin',
  ]);
  expect(issues.find((i) => i.path === 'cortex-iq:typo')!.message).toBe('unknown key');
  try {
    parseStackConfig(raw, 'Pulumi.dev.yaml');
  } catch (err) {
    expect((err as Error).message.split('\n')[0]).toBe('invalid Pulumi.dev.yaml (5 problems):');
    expect((err as Error).message).toContain(
      "  - cortex-iq:clusters[2].role: unknown role 'edgy' (expected one of hub, edge)",
    );
  }
});

test('conflicting arguments: a kubeconfig context on a kind stack, gitops without a source, hub count', () => {
  const raw = devRaw();
  raw.clusters[0].context = 'prod';
  raw.clusters[1].role = 'hub';
  raw.delivery = 'gitops';
  delete raw.gitops;
  expect(issuesOf(raw)).toEqual([
    { path: 'cortex-iq:clusters', message: "expected exactly one cluster with role 'hub', found 2" },
    {
      path: 'cortex-iq:clusters[0].context',
      message: "only used with target 'existing' (target is 'kind': the cluster is created)",
    },
    { path: 'cortex-iq:gitops', message: "missing required key (delivery 'gitops' needs a source)" },
  ]);
});

test('the loaded model is frozen', () => {
  const { config } = loadStackFile('dev', root);
  expect(Object.isFrozen(config.clusters[0])).toBe(true);
});

test('issue 13: the kind node image must be pinned by digest, the listen address must be an IP, flux.install and images.platform are closed sets', () => {
  const raw = devRaw();
  raw.kind = { nodeImage: 'kindest/node:v1.30.6', listenAddress: 'everywhere' };
  raw.flux = { ...raw.flux, install: 'bootstrap' };
  raw.images = { ...raw.images, platform: 'linux/386' };
  const issues = issuesOf(raw);
  expect(issues.map((i) => i.path).sort()).toEqual([
    'cortex-iq:flux.install',
    'cortex-iq:images.platform',
    'cortex-iq:kind.listenAddress',
    'cortex-iq:kind.nodeImage',
  ]);
  expect(issues.find((i) => i.path === 'cortex-iq:kind.nodeImage')!.message).toBe(
    "expected an image pinned by digest: kindest/node:v<version>@sha256:<64 hex> (got 'kindest/node:v1.30.6')",
  );
  const defaults = loadStackFile('dev', root).config;
  expect(defaults.kind.listenAddress).toBe('127.0.0.1');
  expect(defaults.flux.install).toBe('helm');
});
