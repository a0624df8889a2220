/** The pure derivations of the typed model: mesh links, placement, env, kind config, the launcher view. */
import * as path from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import {
  deriveTopology,
  loadStackFile,
  meshLinks,
  parseStackConfig,
  renderKindConfig,
  unreachable,
  type StackConfig,
} from '../../stacks';

const root = path.join(__dirname, '..', '..');
const dev = loadStackFile('dev', root).config;
const variant = (patch: Partial<StackConfig>): StackConfig =>
  parseStackConfig({ ...JSON.parse(JSON.stringify(dev)), ...patch });

test('link counts per layout for the four seed clusters', () => {
  expect(deriveTopology(dev).links).toHaveLength(6);
  expect(deriveTopology(variant({ mesh: { layout: 'ring' } })).links).toHaveLength(4);
  expect(deriveTopology(variant({ mesh: { layout: 'hub' } })).links).toEqual([
    ['macula-hub', 'be-antwerp'],
    ['macula-hub', 'be-brabant'],
    ['macula-hub', 'be-east-flanders'],
  ]);
});

test('property: full, ring and hub layouts are connected and have n(n-1)/2, n (n>2) and n-1 links', () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 12 }), (n) => {
      const names = Array.from({ length: n }, (_, i) => `c${i}`);
      const full = meshLinks({ layout: 'full', names });
      const ring = meshLinks({ layout: 'ring', names });
      const hub = meshLinks({ layout: 'hub', names, hub: 'c0' });
      expect(full).toHaveLength((n * (n - 1)) / 2);
      expect(ring).toHaveLength(n === 2 ? 1 : n);
      expect(hub).toHaveLength(n - 1);
      for (const l of [full, ring, hub]) expect(unreachable(l, names)).toEqual([]);
    }),
    { numRuns: 30 },
  );
});

test('the launcher view: clusters with role/region, gateway ids and peer ids, apps with env', () => {
  const ports = new Map(dev.clusters.map((c, i) => [c.name, 19443 + i]));
  const topo = deriveTopology(dev, {
    peerUrl: (id) => `https://127.0.0.1:${ports.get(id)}`,
    clientUrl: (c) => `https://127.0.0.1:${ports.get(c)}`,
  });
  expect(topo.hub).toBe('macula-hub');
  const hub = topo.clusters[0]!;
  expect(hub).toMatchObject({ name: 'macula-hub', role: 'hub', postgres: true, context: 'kind-macula-hub' });
  expect(hub.region).toBeUndefined();
  expect(hub.gateway.peers).toEqual(['be-antwerp', 'be-brabant', 'be-east-flanders']);
  expect(hub.gateway.env.plain.MESH_PEERS).toBe(
    'https://127.0.0.1:19444,https://127.0.0.1:19445,https://127.0.0.1:19446',
  );
  expect(hub.apps.map((a) => [a.app, a.needsDatabase])).toEqual([
    ['simulation', false],
    ['projections', true],
    ['queries', true],
    ['dashboard', true],
  ]);
  const brabant = topo.clusters[2]!;
  expect(brabant).toMatchObject({ role: 'edge', region: 'brabant', postgres: false });
  expect(brabant.apps[0]!.env.plain).toEqual({
    MACULA_URL: 'https://127.0.0.1:19445',
    MACULA_REALM: 'be.cortexiq.energy',
    HEALTH_PORT: '9090',
    HOMES_SOURCES: 'brabant.json',
    REGION: 'brabant',
  });
  expect(brabant.apps[1]!.env.secret).toEqual({
    MACULA_TOKEN: { secret: 'cortexiq-realm', key: 'token' },
    MACULA_TLS_CA: { secret: 'macula-gateway-tls', key: 'ca.crt' },
    MACULA_QUIC_PEER_ID: { secret: 'macula-gateway-tls', key: 'quic.peer-id' },
  });
  expect(hub.gateway.env.secret.MACULA_QUIC_KEY).toEqual({ secret: 'macula-gateway-tls', key: 'quic.key' });
});

test('hub layout: edges dial the hub through HUB_GATEWAY_URL only', () => {
  const topo = deriveTopology(variant({ mesh: { layout: 'hub' } }));
  const edge = topo.clusters[1]!.gateway;
  expect(edge.hub).toBe('macula-hub');
  expect(edge.peers).toEqual(['macula-hub']);
  expect(edge.env.plain.HUB_GATEWAY_URL).toBe('https://macula-hub-control-plane:30080');
  expect(edge.env.plain.MESH_PEERS).toBe('');
  expect(topo.clusters[0]!.gateway.hub).toBeUndefined();
});

test("the dashboard's GATEWAY_ADMIN_URLS: the hub's gateway by its Service, the others at their mesh address on the admin port; admin tokens are secrets", () => {
  const staging = loadStackFile('staging', root).config;
  const dashboardOf = (t: ReturnType<typeof deriveTopology>) =>
    t.clusters.find((c) => c.role === 'hub')!.apps.find((a) => a.app === 'dashboard')!;
  // kind: the node's admin NodePort, whatever the layout (in a ring the hub dials no edge but the host is the same).
  for (const layout of ['full', 'ring', 'hub'] as const)
    expect(dashboardOf(deriveTopology(variant({ mesh: { layout } }))).env.plain.GATEWAY_ADMIN_URLS).toBe(
      'http://macula-gateway:8080,http://be-antwerp-control-plane:30081,http://be-brabant-control-plane:30081,http://be-east-flanders-control-plane:30081',
    );
  // Existing clusters: the gatewayAddress host, on the admin port of the gateway's LoadBalancer.
  expect(dashboardOf(deriveTopology(staging)).env.plain.GATEWAY_ADMIN_URLS).toBe(
    'http://macula-gateway:8080,http://antwerp.mesh.staging.cortexiq.example:8080,http://brabant.mesh.staging.cortexiq.example:8080,http://east-flanders.mesh.staging.cortexiq.example:8080',
  );
  const ports = variant({ ports: { ...dev.ports, admin: 8181, adminNodePort: 31081 } });
  expect(dashboardOf(deriveTopology(ports)).env.plain.GATEWAY_ADMIN_URLS).toMatch(
    /^http:\/\/macula-gateway:8181,http:\/\/be-antwerp-control-plane:31081,/,
  );
  // A launcher maps them to its own addresses.
  const mapped = deriveTopology(dev, { adminUrl: (id) => `http://${id}.test:9` });
  expect(dashboardOf(mapped).env.plain.GATEWAY_ADMIN_URLS).toBe(
    'http://macula-hub.test:9,http://be-antwerp.test:9,http://be-brabant.test:9,http://be-east-flanders.test:9',
  );
  const token = { secret: 'cortexiq-admin', key: 'token' };
  for (const t of [deriveTopology(dev), deriveTopology(staging)]) {
    expect(dashboardOf(t).env.secret.GATEWAY_ADMIN_TOKEN).toEqual(token);
    for (const c of t.clusters) {
      expect(c.gateway.env.secret.ADMIN_TOKEN).toEqual(token);
      for (const env of [c.gateway.env, ...c.apps.map((a) => a.env)])
        expect(Object.keys(env.plain).filter((k) => /TOKEN/.test(k))).toEqual([]);
    }
  }
});

test('kind config: labels, hub port mappings, containerd registry config', () => {
  const hub = parseYaml(renderKindConfig(dev, dev.clusters[0]!));
  expect(hub).toMatchObject({ kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4', name: 'macula-hub' });
  expect(hub.nodes[0].extraPortMappings).toEqual([
    { containerPort: 30000, hostPort: 30000, listenAddress: '127.0.0.1', protocol: 'TCP' },
    { containerPort: 30080, hostPort: 30080, listenAddress: '127.0.0.1', protocol: 'UDP' },
    { containerPort: 30080, hostPort: 30080, listenAddress: '127.0.0.1', protocol: 'TCP' },
    { containerPort: 30081, hostPort: 30081, listenAddress: '127.0.0.1', protocol: 'TCP' },
    { containerPort: 30002, hostPort: 30002, listenAddress: '127.0.0.1', protocol: 'TCP' },
  ]);
  expect(hub.containerdConfigPatches[0]).toContain('config_path = "/etc/containerd/certs.d"');
  const edge = parseYaml(renderKindConfig(dev, dev.clusters[3]!));
  expect(edge.nodes[0].labels).toEqual({
    'cortexiq.io/cluster': 'be-east-flanders',
    'cortexiq.io/role': 'edge',
    'topology.kubernetes.io/region': 'east-flanders',
  });
  expect(edge.nodes[0].extraPortMappings).toBeUndefined();
});
