/* eslint-disable @typescript-eslint/no-explicit-any -- mock inputs and parsed YAML are untyped by nature */
/**
 * The dev stack under Pulumi mocks: the whole resource graph of `pulumi up -s dev` (docs/pulumi.md,
 * Components and Outputs), without Docker, kind or the Pulumi CLI.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  dependencies,
  envOf,
  invokes,
  isSecretOutput,
  isSecretWrapper,
  ofType,
  plainSecrets,
  resources,
  settle,
  setupMocks,
  stackConfigMap,
  unwrap,
  value,
} from './harness';
import { validateObject } from './validate-k8s';
import * as pulumi from '@pulumi/pulumi';

setupMocks('dev');
pulumi.runtime.setAllConfig(stackConfigMap('dev'));

const program = require('../../index') as typeof import('../../index');

const CLUSTERS = ['macula-hub', 'be-antwerp', 'be-brabant', 'be-east-flanders'];
const onCluster = (cluster: string) => (r: { provider?: string }) =>
  (r.provider ?? '').includes(`cortex-iq-${cluster}-provider`);
const deployments = () => ofType('kubernetes:apps/v1:Deployment');

beforeAll(async () => {
  await settle();
}, 120_000); // settle's own bound is 100 s: load can slow evaluation, never make it wrong

test('exactly four KinD clusters with the seed names, node labels and the hub port mappings', () => {
  const creates = ofType('command:local:Command').filter((r) => r.name.endsWith('-create'));
  expect(creates.map((r) => r.name).sort()).toEqual(CLUSTERS.map((c) => `cortex-iq-${c}-create`).sort());
  const configs = Object.fromEntries(
    creates.map((r) => [r.name.replace(/^cortex-iq-|-create$/g, ''), parseYaml(r.inputs.stdin)]),
  );
  for (const c of CLUSTERS) {
    expect(configs[c].name).toBe(c);
    expect(creates.find((r) => r.name === `cortex-iq-${c}-create`)!.inputs.create).toContain(
      `kind create cluster --name '${c}'`,
    );
    expect(configs[c].nodes[0].labels['cortexiq.io/cluster']).toBe(c);
  }
  expect(configs['be-brabant'].nodes[0].labels['topology.kubernetes.io/region']).toBe('brabant');
  expect(configs['macula-hub'].nodes[0].labels['cortexiq.io/role']).toBe('hub');
  expect(configs['macula-hub'].nodes[0].extraPortMappings).toEqual(
    expect.arrayContaining([
      { containerPort: 30000, hostPort: 30000, listenAddress: '127.0.0.1', protocol: 'TCP' },
      { containerPort: 30080, hostPort: 30080, listenAddress: '127.0.0.1', protocol: 'UDP' },
      { containerPort: 30081, hostPort: 30081, listenAddress: '127.0.0.1', protocol: 'TCP' },
    ]),
  );
  expect(configs['be-antwerp'].nodes[0].extraPortMappings).toBeUndefined();
  expect(ofType('pulumi:providers:kubernetes')).toHaveLength(4);
});

test('one registry wired to every cluster: container, kind network alias, hosts.toml and KEP-1755 ConfigMap', () => {
  expect(ofType('cortex-iq:registry:LocalRegistry')).toHaveLength(1);
  const cmds = ofType('command:local:Command');
  expect(cmds.filter((r) => r.name === 'cortex-iq-registry-container')[0]!.inputs.create).toContain(
    '-p 127.0.0.1:5001:5000 registry:2',
  );
  expect(cmds.find((r) => r.name === 'cortex-iq-registry-network')!.inputs.create).toContain(
    "--alias 'registry.macula.local' kind",
  );
  for (const c of CLUSTERS) {
    const hosts = cmds.find((r) => r.name === `cortex-iq-registry-hosts-${c}`)!;
    expect(hosts.inputs.stdin).toBe('[host."http://registry.macula.local:5000"]\n');
    expect(hosts.inputs.create).toContain('/etc/containerd/certs.d/localhost:5001');
  }
  const hosting = ofType('kubernetes:core/v1:ConfigMap').filter(
    (r) => r.inputs.metadata.name === 'local-registry-hosting',
  );
  expect(hosting).toHaveLength(4);
  for (const c of CLUSTERS) expect(hosting.filter(onCluster(c))).toHaveLength(1);
  expect(parseYaml(hosting[0]!.inputs.data['localRegistryHosting.v1'])).toMatchObject({
    host: 'localhost:5001',
    hostFromContainerRuntime: 'registry.macula.local:5000',
  });
});

test('Flux on every cluster with source, kustomize, helm and notification controllers; no GitOps objects in direct delivery', () => {
  const releases = ofType('kubernetes:helm.sh/v3:Release').filter((r) => r.inputs.chart === 'flux2');
  expect(releases).toHaveLength(4);
  for (const c of CLUSTERS) expect(releases.filter(onCluster(c))).toHaveLength(1);
  const values = releases[0]!.inputs.values;
  for (const k of ['sourceController', 'kustomizeController', 'helmController', 'notificationController'])
    expect(values[k].create).toBe(true);
  expect(values.imageAutomationController.create).toBe(false);
  expect(releases[0]!.inputs.version).toBe('2.13.0');
  expect(resources.filter((r) => r.type.includes('toolkit.fluxcd.io'))).toHaveLength(0);
});

test('seven images built from the one Dockerfile and referenced by digest', () => {
  const images = ofType('docker:index/image:Image');
  expect(images.map((i) => i.inputs.build.target).sort()).toEqual([
    'dashboard',
    'gateway',
    'homes',
    'projections',
    'queries',
    'simulation',
    'utilities',
  ]);
  for (const d of deployments())
    expect(unwrap(d.inputs.spec.template.spec.containers[0].image)).toMatch(
      /^localhost:5001\/cortexiq-[a-z]+@sha256:[0-9a-f]{64}$/,
    );
});

test('PostgreSQL only on the hub', () => {
  const sts = ofType('kubernetes:apps/v1:StatefulSet');
  expect(sts).toHaveLength(1);
  expect(onCluster('macula-hub')(sts[0]!)).toBe(true);
  expect(sts[0]!.inputs.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('1Gi');
  expect(sts[0]!.inputs.spec.template.spec.containers[0].readinessProbe.exec.command[0]).toBe('pg_isready');
});

test('a gateway on every cluster; MESH_PEERS names exactly its peers (full mesh: 6 links); probes on the admin port', () => {
  const gws = deployments().filter((d) => d.inputs.metadata.name === 'macula-gateway');
  expect(gws).toHaveLength(4);
  const links = new Set<string>();
  for (const c of CLUSTERS) {
    const env = envOf(gws.find(onCluster(c))!);
    expect(env.GATEWAY_ID).toBe(c);
    const peers = env.MESH_PEERS!.split(',').map((u) => new URL(u).hostname.replace(/-control-plane$/, ''));
    expect(peers.sort()).toEqual(CLUSTERS.filter((x) => x !== c).sort());
    peers.forEach((p) => links.add([c, p].sort().join('|')));
    expect(env).toMatchObject({
      MACULA_GATEWAY_PORT: '9443',
      ADMIN_PORT: '8080',
      MACULA_REALM: 'be.cortexiq.energy',
      MESH_SECRET: 'secret:cortexiq-mesh/secret',
      MACULA_TLS_CERT: 'secret:macula-gateway-tls/tls.crt',
      MACULA_TLS_KEY: 'secret:macula-gateway-tls/tls.key',
      MACULA_TLS_CA: 'secret:macula-gateway-tls/ca.crt',
      MACULA_TOKEN: 'secret:cortexiq-realm/token',
      ADMIN_TOKEN: 'secret:cortexiq-admin/token',
    });
    expect(env.HUB_GATEWAY_URL).toBeUndefined();
  }
  expect(links.size).toBe(6);
  const ct = gws[0]!.inputs.spec.template.spec.containers[0];
  expect(ct.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'admin' });
  expect(ct.livenessProbe.httpGet).toEqual({ path: '/live', port: 'admin' });
  expect(JSON.stringify(ct)).not.toContain('tcpSocket');
  const svc = ofType('kubernetes:core/v1:Service').find((s) => s.inputs.metadata.name === 'macula-gateway')!;
  expect(svc.inputs.spec.ports.map((p: any) => `${p.protocol}/${p.port}/${p.nodePort}`)).toEqual([
    'UDP/9443/30080',
    'TCP/9443/30080',
    'TCP/8080/30081',
  ]);
});

test('every gateway keeps its durable log on its own claim, mounted by one pod at a time (Recreate)', () => {
  const claims = ofType('kubernetes:core/v1:PersistentVolumeClaim');
  expect(claims).toHaveLength(4);
  for (const c of CLUSTERS) {
    const claim = claims.find(onCluster(c))!;
    expect(claim.inputs.metadata.name).toBe('macula-gateway-data');
    expect(claim.inputs.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(claim.inputs.metadata.annotations['pulumi.com/skipAwait']).toBe('true');
    const gw = deployments()
      .filter(onCluster(c))
      .find((d) => d.inputs.metadata.name === 'macula-gateway')!;
    const spec = gw.inputs.spec;
    expect(spec.strategy).toEqual({ type: 'Recreate' });
    expect(spec.replicas).toBe(1);
    expect(spec.template.spec.volumes).toEqual([
      { name: 'data', persistentVolumeClaim: { claimName: 'macula-gateway-data' } },
    ]);
    const ct = spec.template.spec.containers[0];
    expect(ct.volumeMounts).toEqual([{ name: 'data', mountPath: '/var/lib/cortexiq/gateway' }]);
    expect(envOf(gw).GATEWAY_DATA_DIR).toBe('/var/lib/cortexiq/gateway');
    expect(Number(envOf(gw).GATEWAY_DATA_MAX_BYTES)).toBeLessThan(1024 ** 3);
    expect(dependencies.get(gw.name)).toEqual(expect.arrayContaining([claim.name]));
  }
});

test("the hub's apps and each edge's apps with their env", () => {
  const hubApps = deployments()
    .filter(onCluster('macula-hub'))
    .map((d) => d.inputs.metadata.name)
    .sort();
  expect(hubApps).toEqual(['dashboard', 'macula-gateway', 'projections', 'queries', 'simulation']);
  const env = (c: string, app: string) =>
    envOf(
      deployments()
        .filter(onCluster(c))
        .find((d) => d.inputs.metadata.name === app)!,
    );
  expect(env('macula-hub', 'simulation')).toEqual({
    MACULA_URL: 'https://macula-gateway:9443',
    MACULA_REALM: 'be.cortexiq.energy',
    SIMULATION_SPEED: '105120',
    SIMULATION_START_DATE: '2025-01-01T00:00:00Z',
    TICK_MS: '1000',
    HEALTH_PORT: '9090',
    MACULA_TOKEN: 'secret:cortexiq-realm/token',
    MACULA_TLS_CA: expect.stringMatching(/^secret:/),
    MACULA_QUIC_PEER_ID: 'secret:macula-gateway-tls/quic.peer-id',
  });
  expect(env('macula-hub', 'dashboard')).toMatchObject({
    PORT: '4000',
    PHX_HOST: 'localhost',
    DATABASE_URL: 'secret:cortexiq-postgres/database-url',
    SECRET_KEY_BASE: 'secret:cortexiq-dashboard/secret-key-base',
  });
  expect(env('macula-hub', 'projections').DATABASE_URL).toBe('secret:cortexiq-postgres/database-url');
  for (const [c, region] of [
    ['be-antwerp', 'antwerp'],
    ['be-brabant', 'brabant'],
    ['be-east-flanders', 'east-flanders'],
  ] as const) {
    expect(
      deployments()
        .filter(onCluster(c))
        .map((d) => d.inputs.metadata.name)
        .sort(),
    ).toEqual(['homes', 'macula-gateway', 'utilities']);
    expect(env(c, 'homes')).toMatchObject({
      HOMES_SOURCES: `${region}.json`,
      REGION: region,
      MACULA_URL: 'https://macula-gateway:9443',
    });
    expect(env(c, 'utilities')).toMatchObject({
      PROVIDERS_COUNT: '5',
      PROVIDERS_SOURCES: 'providers.json',
      REGION: region,
    });
  }
});

test("the dashboard's Mesh page: GATEWAY_ADMIN_URLS names every gateway's admin API as the hub reaches it, with the admin token from a Secret", () => {
  const onHub = deployments().filter(onCluster('macula-hub'));
  const dashboard = envOf(onHub.find((d) => d.inputs.metadata.name === 'dashboard')!);
  const hubGateway = envOf(onHub.find((d) => d.inputs.metadata.name === 'macula-gateway')!);
  const urls = dashboard.GATEWAY_ADMIN_URLS!.split(',').map((u) => new URL(u));
  expect(urls.map((u) => u.origin)).toEqual([
    'http://macula-gateway:8080',
    'http://be-antwerp-control-plane:30081',
    'http://be-brabant-control-plane:30081',
    'http://be-east-flanders-control-plane:30081',
  ]);
  // Reachable from the hub's pods: its own gateway through its Service's admin port, the others at
  // the host the hub's gateway dials them at, on their Service's admin node port.
  const services = ofType('kubernetes:core/v1:Service').filter(
    (s) => s.inputs.metadata.name === 'macula-gateway',
  );
  const adminPort = (c: string) =>
    services.find(onCluster(c))!.inputs.spec.ports.find((p: any) => p.name === 'admin');
  expect([urls[0]!.hostname, Number(urls[0]!.port)]).toEqual([
    services.find(onCluster('macula-hub'))!.inputs.metadata.name,
    adminPort('macula-hub').port,
  ]);
  const dialled = hubGateway.MESH_PEERS!.split(',').map((u) => new URL(u).hostname);
  CLUSTERS.slice(1).forEach((c, i) => {
    expect(urls[i + 1]!.hostname).toBe(dialled[i]);
    expect(Number(urls[i + 1]!.port)).toBe(adminPort(c).nodePort);
  });
  // The token: one Secret per cluster, given to every gateway and to the dashboard by reference only.
  expect(dashboard.GATEWAY_ADMIN_TOKEN).toBe('secret:cortexiq-admin/token');
  for (const c of CLUSTERS) {
    const gw = deployments()
      .filter(onCluster(c))
      .find((d) => d.inputs.metadata.name === 'macula-gateway')!;
    expect(envOf(gw).ADMIN_TOKEN).toBe('secret:cortexiq-admin/token');
  }
  for (const d of deployments())
    for (const e of unwrap(d.inputs.spec.template.spec.containers[0].env) as any[])
      if (/ADMIN_TOKEN/.test(e.name)) expect([e.name, e.value]).toEqual([e.name, undefined]);
  const admin = ofType('kubernetes:core/v1:Secret').filter(
    (s) => s.inputs.metadata.name === 'cortexiq-admin' && s.inputs.metadata.namespace === 'cortex-iq',
  );
  expect(admin).toHaveLength(CLUSTERS.length);
  for (const c of CLUSTERS) expect(admin.filter(onCluster(c))).toHaveLength(1);
  const generated = ofType('random:index/randomPassword:RandomPassword').find(
    (r) => r.name === 'cortex-iq-secrets-adminToken',
  )!;
  expect(generated.inputs).toMatchObject({ length: 40, special: false });
  for (const s of admin) {
    expect(isSecretWrapper(s.inputs.stringData)).toBe(true);
    expect(unwrap(s.inputs.stringData)).toEqual({ token: `plain-password-${generated.name}-xxxxxxxx` });
  }
});

test('every app: HEALTH_PORT, HTTP probes on the health port and Prometheus scrape annotations; the dashboard UI keeps PORT 4000', () => {
  const apps = deployments().filter((d) => d.inputs.metadata.name !== 'macula-gateway');
  expect(apps).toHaveLength(4 + 3 * 2);
  for (const d of apps) {
    const name = d.inputs.metadata.name as string;
    const ct = d.inputs.spec.template.spec.containers[0];
    expect([name, envOf(d).HEALTH_PORT]).toEqual([name, '9090']);
    expect(ct.ports).toContainEqual({ name: 'health', containerPort: 9090, protocol: 'TCP' });
    expect(ct.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'health' });
    expect(ct.livenessProbe.httpGet).toEqual({ path: '/live', port: 'health' });
    // (The database apps also carry the password revision, test/pulumi/lifecycle-delivery.test.ts.)
    expect(d.inputs.spec.template.metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '9090',
      'prometheus.io/path': '/metrics',
    });
  }
  const dashboard = apps.find((d) => d.inputs.metadata.name === 'dashboard')!;
  expect(dashboard.inputs.spec.template.spec.containers[0].ports).toEqual([
    { name: 'http', containerPort: 4000, protocol: 'TCP' },
    { name: 'health', containerPort: 9090, protocol: 'TCP' },
  ]);
  expect(envOf(dashboard).PORT).toBe('4000');
  const svc = ofType('kubernetes:core/v1:Service').find((s) => s.inputs.metadata.name === 'dashboard')!;
  expect(svc.inputs.spec.ports).toEqual([
    { name: 'http', port: 4000, targetPort: 'http', protocol: 'TCP', nodePort: 30000 },
  ]);
});

test('explicit deployment order as registered: PostgreSQL → gateway → apps on the hub, gateway → apps on edges', () => {
  const deps = (name: string): string[] => {
    const d = dependencies.get(name);
    if (!d) throw new Error(`${name} was not registered`);
    return d;
  };
  const hub = 'cortex-iq-macula-hub';
  expect(deps(`${hub}-gateway`)).toContain(`${hub}-postgres-statefulset`);
  for (const app of ['simulation', 'projections', 'queries', 'dashboard'])
    expect(deps(`${hub}-${app}`)).toContain(`${hub}-gateway-deployment`);
  for (const app of ['projections', 'queries', 'dashboard'])
    expect(deps(`${hub}-${app}`)).toContain(`${hub}-postgres-statefulset`);
  expect(deps(`${hub}-simulation`)).not.toContain(`${hub}-postgres-statefulset`);
  for (const c of CLUSTERS.slice(1)) {
    const edge = `cortex-iq-${c}`;
    expect(deps(`${edge}-gateway`).filter((d) => d.includes('postgres'))).toEqual([]);
    for (const app of ['homes', 'utilities'])
      expect(deps(`${edge}-${app}`)).toContain(`${edge}-gateway-deployment`);
  }
  // Within the gateway and PostgreSQL components: their Secret and Service come first.
  expect(deps(`${hub}-gateway-deployment`)).toEqual(
    expect.arrayContaining([`${hub}-gateway-tls`, `${hub}-gateway-service`]),
  );
  expect(deps(`${hub}-postgres-statefulset`)).toEqual(
    expect.arrayContaining([`${hub}-postgres-secret`, `${hub}-postgres-service`]),
  );
});

test('secrets never appear in plain text in any input, and every Secret value is a Pulumi secret', () => {
  expect(plainSecrets(resources.map((r) => r.inputs))).toEqual([]);
  const secretsK8s = ofType('kubernetes:core/v1:Secret');
  expect(secretsK8s.length).toBeGreaterThanOrEqual(4 * 3 + 2);
  const leaves = (v: unknown): unknown[] =>
    isSecretWrapper(v) ? [] : v !== null && typeof v === 'object' ? Object.values(v).flatMap(leaves) : [v];
  for (const s of secretsK8s) {
    expect(Object.keys(unwrap(s.inputs.stringData)).length).toBeGreaterThan(0);
    expect(leaves(s.inputs.stringData)).toEqual([]);
  }
  expect(invokes).toEqual([]);
});

test('each gateway has its own QUIC key, and its apps pin the peer id derived from it', () => {
  const { peerIdFromSeed } =
    require('../../gateway/transport/libp2p-key') as typeof import('../../gateway/transport/libp2p-key');
  const seen = new Set<string>();
  for (const c of CLUSTERS) {
    const tlsSecret = ofType('kubernetes:core/v1:Secret')
      .filter(onCluster(c))
      .find((s) => s.inputs.metadata.name === 'macula-gateway-tls')!;
    const data = unwrap(tlsSecret.inputs.stringData) as Record<string, unknown>;
    const key = String(unwrap(data['quic.key']));
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(unwrap(data['quic.peer-id'])).toBe(peerIdFromSeed(Buffer.from(key, 'hex')));
    seen.add(key);
    const gw = deployments()
      .filter(onCluster(c))
      .find((d) => d.inputs.metadata.name === 'macula-gateway')!;
    expect(envOf(gw).MACULA_QUIC_KEY).toBe('secret:macula-gateway-tls/quic.key');
  }
  expect(seen.size).toBe(CLUSTERS.length);
  // Key material comes from RandomBytes, whose provider keeps its values secret in the state;
  // RandomId would not (its resource id is the value itself).
  expect(ofType('random:index/randomBytes:RandomBytes')).toHaveLength(CLUSTERS.length);
  expect(ofType('random:index/randomId:RandomId')).toEqual([]);
  // The docs name the same resource (issue 13: they said RandomId).
  const docs = readFileSync(join(__dirname, '..', '..', 'docs', 'pulumi.md'), 'utf8');
  expect(docs).toContain('`random.RandomBytes`, 32 bytes');
  expect(docs).not.toContain('RandomId`, 32 bytes');
});

test('stack outputs: clusters (kubeconfig secret), registry, dashboard, gateway endpoints, mesh links, Grafana', async () => {
  const clusters = program.clusters;
  expect(clusters.map((c) => [c.name, c.role, c.region ?? null, c.context])).toEqual([
    ['macula-hub', 'hub', null, 'kind-macula-hub'],
    ['be-antwerp', 'edge', 'antwerp', 'kind-be-antwerp'],
    ['be-brabant', 'edge', 'brabant', 'kind-be-brabant'],
    ['be-east-flanders', 'edge', 'east-flanders', 'kind-be-east-flanders'],
  ]);
  for (const c of clusters) {
    expect(await isSecretOutput(c.kubeconfig!)).toBe(true);
    expect(await value(c.kubeconfig)).toContain('kind: Config');
  }
  expect(program.registry).toBe('localhost:5001');
  expect(program.dashboardUrl).toBe('http://localhost:30000');
  const { quicPeerId, ...hubEndpoint } = program.gateways[0]!;
  expect(hubEndpoint).toEqual({
    id: 'macula-hub',
    hostQuicUrl: 'https://localhost:30080',
    hostAdminUrl: 'http://localhost:30081',
    networkQuicUrl: 'https://macula-hub-control-plane:30080',
    networkAdminUrl: 'http://macula-hub-control-plane:30081',
  });
  // Public, so a dashboard or an outside client can read it and pin the hub gateway.
  expect(await isSecretOutput(quicPeerId)).toBe(false);
  expect(await value(quicPeerId)).toMatch(/^12D3KooW/);
  expect(program.gateways).toHaveLength(4);
  expect(program.meshLinks).toHaveLength(6);
  expect(program.meshLayout).toBe('full');
  expect(program.grafanaUrl).toBe('http://localhost:30002');
});

test('every Kubernetes object the program creates validates against the Kubernetes and Flux schemas', () => {
  const k8s = resources.filter(
    (r) => r.type.startsWith('kubernetes:') && !r.type.startsWith('kubernetes:helm.sh'),
  );
  expect(k8s.length).toBeGreaterThan(40);
  for (const r of k8s) validateObject(unwrap(r.inputs));
});
