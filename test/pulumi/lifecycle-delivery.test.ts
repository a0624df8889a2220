/**
 * What a real `pulumi up` needs from delivery and outputs (issue 13, defects 6, 7, 12), asserted on
 * the registered inputs, dependencies and options under mocks: the dev stack in direct and in GitOps
 * delivery, and the staging stack on clusters that already run Flux; and two smaller items of 13
 * (a rotated database password, Prometheus beyond the hub).
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  dependencies,
  isSecretOutput,
  ofType,
  optionsOf,
  resources,
  settle,
  setupMocks,
  unwrap,
  value,
} from './harness';
import { CortexIqMesh } from '../../components/cortexiq-mesh';
import { DATABASE_PASSWORD_ANNOTATION, databasePasswordRevision } from '../../components/postgres';
import {
  DATABASE_PASSWORD_REVISION_VAR,
  loadStackFile,
  parseStackConfig,
  renderGitOpsTree,
  REVISIONS_CONFIGMAP,
  type StackConfig,
} from '../../stacks';
import { isSecretWrapper } from './harness';

setupMocks('dev');
const root = path.join(__dirname, '..', '..');
const dev = loadStackFile('dev', root).config;
const staging = loadStackFile('staging', root).config;
const variant = (base: StackConfig, patch: Partial<StackConfig>): StackConfig =>
  parseStackConfig({ ...JSON.parse(JSON.stringify(base)), ...patch });

const CLUSTERS = ['macula-hub', 'be-antwerp', 'be-brabant', 'be-east-flanders'];
const built: Record<'d' | 'g' | 's', CortexIqMesh> = {} as never;
beforeAll(async () => {
  built.d = new CortexIqMesh('d', { config: dev, projectRoot: root });
  built.g = new CortexIqMesh('g', { config: variant(dev, { delivery: 'gitops' }), projectRoot: root });
  built.s = new CortexIqMesh('s', {
    config: variant(staging, { flux: { ...staging.flux, install: 'existing' } }),
    projectRoot: root,
  });
  await settle();
}, 120_000);

const mine = (prefix: string) => resources.filter((r) => r.name.startsWith(`${prefix}-`));
const kustomizations = (prefix: string) =>
  mine(prefix).filter((r) => r.type === 'kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization');

test('defect 6: every gateway output says from where it works; kind edges have no host URL, only kind-network ones', () => {
  const [hub, ...edges] = built.d.gateways;
  expect(hub).toMatchObject({
    hostQuicUrl: 'https://localhost:30080',
    hostAdminUrl: 'http://localhost:30081',
  });
  for (const e of edges) {
    expect(e.hostQuicUrl).toBeUndefined();
    expect(e.hostAdminUrl).toBeUndefined();
    expect(e.networkQuicUrl).toBe(`https://${e.id}-control-plane:30080`);
    expect(e.networkAdminUrl).toBe(`http://${e.id}-control-plane:30081`);
  }
  const s = built.s.gateways.find((g) => g.id === 'be-antwerp')!;
  expect(s).toMatchObject({
    hostQuicUrl: 'https://antwerp.mesh.staging.cortexiq.example:9443',
    hostAdminUrl: 'http://antwerp.mesh.staging.cortexiq.example:8080',
    networkQuicUrl: 'https://macula-gateway.cortex-iq.svc:9443',
  });
});

test("defect 6: Grafana's password is an output, kept secret, and is the one Grafana is given", async () => {
  const pw = built.d.grafanaPassword!;
  expect(await isSecretOutput(pw)).toBe(true);
  const admin = mine('d').find(
    (r) => r.type === 'kubernetes:core/v1:Secret' && r.inputs.metadata.name === 'grafana-admin',
  )!;
  expect(await value(pw)).toBe(unwrap(admin.inputs.stringData)['admin-password']);
});

test('defect 6: the Flux version output is what Helm installed on each cluster, not the config echoed', async () => {
  expect(built.d.flux.map((f) => f.cluster)).toEqual(CLUSTERS);
  for (const f of built.d.flux) expect(await value(f.version)).toBe('helm-app-version-of-flux2-2.13.0');
  expect(built.s.flux).toEqual([]);
});

test('defect 7: in direct delivery nothing waits for Flux, and Helm and the workloads have explicit timeouts', () => {
  const dependants = mine('d').filter((r) => !r.name.includes('-flux-'));
  for (const r of dependants) {
    const onFlux = (dependencies.get(r.name) ?? []).filter((d) => d.includes('-flux-'));
    expect([r.name, onFlux]).toEqual([r.name, []]);
  }
  const releases = mine('d').filter((r) => r.type === 'kubernetes:helm.sh/v3:Release');
  expect(releases).toHaveLength(4 + 2);
  for (const r of releases) expect([r.name, r.inputs.timeout]).toEqual([r.name, 600]);
  const workloads = mine('d').filter(
    (r) => r.type === 'kubernetes:apps/v1:Deployment' || r.type === 'kubernetes:apps/v1:StatefulSet',
  );
  expect(workloads).toHaveLength(1 + 5 + 3 * 3); // PostgreSQL; hub gateway + 4 apps; 3 edges × 3
  for (const w of workloads) expect(optionsOf(w.name).customTimeouts).toMatchObject({ create: '10m' });
});

test('defect 8: deleteUnreachable is only on kind providers; an existing cluster that is briefly unreachable keeps its objects in the state', () => {
  const providers = (prefix: string) => mine(prefix).filter((r) => r.type === 'pulumi:providers:kubernetes');
  expect(providers('s')).toHaveLength(4);
  for (const p of providers('s')) expect([p.name, p.inputs.deleteUnreachable]).toEqual([p.name, undefined]);
  for (const p of providers('d'))
    expect([p.name, String(p.inputs.deleteUnreachable)]).toEqual([p.name, 'true']);
});

test('defect 12: under GitOps `up` waits until each Kustomization is Ready, after the namespace and Secrets its workloads use', () => {
  const ks = kustomizations('g');
  expect(ks).toHaveLength(8);
  for (const k of ks) {
    expect(k.inputs.metadata.annotations['pulumi.com/waitFor']).toBe('condition=Ready');
    expect(optionsOf(k.name).customTimeouts).toMatchObject({ create: '15m', update: '15m' });
  }
  for (const c of CLUSTERS) {
    const deps = dependencies.get(`g-${c}-flux-infrastructure`)!;
    expect(deps).toEqual(
      expect.arrayContaining([`g-${c}-ns`, `g-${c}-realm`, `g-${c}-mesh`, `g-${c}-gateway-tls`]),
    );
  }
  expect(dependencies.get('g-macula-hub-flux-infrastructure')).toContain('g-macula-hub-postgres-secret');
});

test('defect 12: an existing flux-system namespace does not fail the install, and clusters already running Flux get only the GitOps objects', () => {
  expect(
    resources.filter(
      (r) => r.type === 'kubernetes:core/v1:Namespace' && r.inputs.metadata.name === 'flux-system',
    ),
  ).toEqual([]);
  for (const r of ofType('kubernetes:helm.sh/v3:Release').filter((x) => x.inputs.chart === 'flux2'))
    expect(r.inputs.createNamespace).toBe(true);
  const s = mine('s');
  expect(s.filter((r) => r.type === 'kubernetes:helm.sh/v3:Release')).toEqual([]);
  expect(s.filter((r) => r.type.startsWith('kubernetes:source.toolkit.fluxcd.io'))).toHaveLength(4);
  expect(kustomizations('s')).toHaveLength(8);
});

test('issue 13 (smaller): a rotated database password restarts PostgreSQL, which sets it, and the database apps, which read it', async () => {
  const sts = mine('d').find((r) => r.type === 'kubernetes:apps/v1:StatefulSet')!;
  const hook = sts.inputs.spec.template.spec.containers[0].lifecycle.postStart.exec.command as string[];
  expect(hook.join(' ')).toMatch(
    /ALTER ROLE cortexiq PASSWORD :'pw';" \| psql .*-v pw="\$POSTGRES_PASSWORD"/,
  );
  // Public (a secret would make the whole spec secret), and keyed, so it tells nothing of the password.
  const revision = sts.inputs.spec.template.metadata.annotations[DATABASE_PASSWORD_ANNOTATION];
  expect(isSecretWrapper(revision)).toBe(false);
  expect(revision).toMatch(/^[0-9a-f]{64}$/);
  const password = unwrap(
    mine('d').find(
      (r) => r.type === 'kubernetes:core/v1:Secret' && r.inputs.metadata.name === 'cortexiq-postgres',
    )!.inputs.stringData,
  ).password as string;
  expect(revision).not.toBe(createHash('sha256').update(password).digest('hex'));
  const apps = mine('d').filter((r) => r.type === 'kubernetes:apps/v1:Deployment');
  const annotated = apps
    .filter((d) => d.inputs.spec.template.metadata.annotations?.[DATABASE_PASSWORD_ANNOTATION] !== undefined)
    .map((d) => d.inputs.metadata.name)
    .sort();
  expect(annotated).toEqual(['dashboard', 'projections', 'queries']);
  for (const d of apps.filter((x) => annotated.includes(x.inputs.metadata.name)))
    expect(d.inputs.spec.template.metadata.annotations[DATABASE_PASSWORD_ANNOTATION]).toBe(revision);
});

test('issue 13 (smaller): under GitOps a rotated database password rolls PostgreSQL and the database apps too: Flux substitutes its revision into the rendered tree and reconciles at once', async () => {
  const gitops = variant(dev, { delivery: 'gitops' });
  // The revision of g's password under g's key (the harness's RandomPassword results).
  const pw = (n: string) => `plain-password-g-secrets-${n}-${'x'.repeat(8)}`;
  const revision = await value(databasePasswordRevision(pw('databasePassword'), pw('revision-key')));
  expect(revision).toMatch(/^[0-9a-f]{64}$/);
  for (const c of CLUSTERS) {
    const cm = mine('g').find((r) => r.name === `g-${c}-flux-revisions`)!;
    expect(cm.inputs.metadata).toEqual({ name: REVISIONS_CONFIGMAP, namespace: 'flux-system' });
    expect(cm.inputs.data).toEqual({ [DATABASE_PASSWORD_REVISION_VAR]: revision });
    for (const layer of ['infrastructure', 'apps']) {
      const k = mine('g').find((r) => r.name === `g-${c}-flux-${layer}`)!;
      expect(k.inputs.spec.postBuild).toEqual({
        substituteFrom: [{ kind: 'ConfigMap', name: REVISIONS_CONFIGMAP }],
      });
      expect(k.inputs.metadata.annotations['reconcile.fluxcd.io/requestedAt']).toBe(revision);
      expect(dependencies.get(k.name)).toContain(cm.name);
    }
  }
  // The tree Flux applies: PostgreSQL and the apps that read DATABASE_URL carry the placeholder, and
  // every `${…}` in it is a variable the Kustomizations substitute (Flux replaces an unknown one with
  // nothing, which would silently break a script).
  const tree = renderGitOpsTree(gitops, 'dev');
  const vars = [...tree.values()].flatMap((text) => [...text.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]));
  expect(new Set(vars)).toEqual(new Set([DATABASE_PASSWORD_REVISION_VAR]));
  const annotated = [...tree.entries()]
    .filter(([, text]) =>
      text.includes(`${DATABASE_PASSWORD_ANNOTATION}: \${${DATABASE_PASSWORD_REVISION_VAR}}`),
    )
    .map(([file]) => file)
    .sort();
  expect(annotated).toEqual([
    'base/dashboard/deployment.yaml',
    'base/postgres/statefulset.yaml',
    'base/projections/deployment.yaml',
    'base/queries/deployment.yaml',
  ]);
});

test("issue 13 (smaller): Prometheus on the hub scrapes every gateway, the hub's included, with the admin token they require", async () => {
  const prom = mine('d').find(
    (r) => r.type === 'kubernetes:helm.sh/v3:Release' && r.inputs.chart === 'prometheus',
  )!;
  const jobs = parseYaml(prom.inputs.values.extraScrapeConfigs) as {
    job_name: string;
    authorization: { type: string; credentials_file: string };
    static_configs: { targets: string[]; labels: { cluster: string } }[];
  }[];
  expect(jobs.map((j) => j.job_name)).toEqual(['mesh-gateways']);
  expect(jobs[0]!.static_configs).toEqual([
    { targets: ['macula-gateway.cortex-iq.svc:8080'], labels: { cluster: 'macula-hub' } },
    ...CLUSTERS.slice(1).map((c) => ({ targets: [`${c}-control-plane:30081`], labels: { cluster: c } })),
  ]);
  // The token file is the Secret mounted into Prometheus's server, a copy of the gateways' token
  // in Prometheus's own namespace, created before the chart.
  expect(jobs[0]!.authorization).toEqual({ type: 'Bearer', credentials_file: '/etc/cortexiq-admin/token' });
  expect(prom.inputs.values.server.extraSecretMounts).toEqual([
    {
      name: 'cortexiq-admin',
      mountPath: '/etc/cortexiq-admin',
      secretName: 'cortexiq-admin',
      readOnly: true,
    },
  ]);
  const tokens = mine('d').filter(
    (r) => r.type === 'kubernetes:core/v1:Secret' && r.inputs.metadata.name === 'cortexiq-admin',
  );
  const copy = tokens.find((r) => r.inputs.metadata.namespace === 'monitoring')!;
  const gateways = tokens.filter((r) => r.inputs.metadata.namespace === 'cortex-iq');
  expect(gateways).toHaveLength(CLUSTERS.length);
  for (const g of gateways) expect(unwrap(copy.inputs.stringData)).toEqual(unwrap(g.inputs.stringData));
  expect(dependencies.get(prom.name)).toContain(copy.name);
  // No gateway pod asks the annotation-driven job for a scrape it would refuse.
  const gatewayPods = mine('d').filter(
    (r) => r.type === 'kubernetes:apps/v1:Deployment' && r.inputs.metadata.name === 'macula-gateway',
  );
  expect(gatewayPods).toHaveLength(CLUSTERS.length);
  for (const d of gatewayPods)
    expect(d.inputs.spec.template.metadata.annotations ?? {}).not.toHaveProperty(['prometheus.io/scrape']);
});
