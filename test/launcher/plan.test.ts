/**
 * The local run's plan (launcher/plan.ts) from the dev stack, without spawning anything: placement per
 * docs/domain.md, "Topology and placement", env per docs/configuration.md with loopback URLs, layouts, ports,
 * and the parts left out.
 */
import * as path from 'node:path';
import fc from 'fast-check';
import { loadStackFile, type AppName, type StackConfig } from '../../stacks';
import { LaunchError, planLocalRun, stagesOf, type LocalPlan, type PlanOptions } from '../../launcher';
import { placementOf } from '../../launcher/netns/run';

const ROOT = path.resolve(__dirname, '..', '..');
const dev = loadStackFile('dev', ROOT).config;
const BUILT: readonly AppName[] = ['simulation', 'homes', 'utilities'];
const SECRET = 'mesh-secret-for-tests-0123456789';

function plan(over: Partial<PlanOptions> = {}, config: StackConfig = dev): LocalPlan {
  return planLocalRun(config, {
    basePort: 19440,
    transport: 'quic',
    secrets: { meshSecret: SECRET },
    isBuilt: (app) => BUILT.includes(app),
    ...over,
  });
}

const proc = (p: LocalPlan, name: string) => {
  const found = p.processes.find((x) => x.name === name);
  if (!found) throw new Error(`no process ${name} in ${p.processes.map((x) => x.name).join(', ')}`);
  return found;
};

describe('plan of the dev stack (full mesh, quic)', () => {
  const p = plan();

  it('starts four gateways, then the clock, then providers, then homes', () => {
    expect(stagesOf(p).map((s) => [s.stage, s.processes.map((x) => x.name)])).toEqual([
      [
        'gateways',
        ['macula-hub/gateway', 'be-antwerp/gateway', 'be-brabant/gateway', 'be-east-flanders/gateway'],
      ],
      ['clock', ['macula-hub/simulation']],
      ['providers', ['be-antwerp/utilities', 'be-brabant/utilities', 'be-east-flanders/utilities']],
      ['homes', ['be-antwerp/homes', 'be-brabant/homes', 'be-east-flanders/homes']],
    ]);
    expect(p.links).toHaveLength(6);
  });

  it('gives each gateway its own loopback port, admin port and the full mesh as MESH_PEERS', () => {
    const hub = proc(p, 'macula-hub/gateway');
    expect(hub.args).toEqual(['gateway']);
    expect(hub.env).toMatchObject({
      GATEWAY_ID: 'macula-hub',
      MACULA_REALM: 'be.cortexiq.energy',
      MACULA_GATEWAY_HOST: '127.0.0.1',
      MACULA_GATEWAY_PORT: '19440',
      ADMIN_HOST: '127.0.0.1',
      ADMIN_PORT: '19444',
      MESH_PEERS: 'https://127.0.0.1:19441,https://127.0.0.1:19442,https://127.0.0.1:19443',
      MESH_SECRET: SECRET,
      MACULA_TLS_INSECURE: '1',
      LOG_LEVEL: 'info',
    });
    expect(hub.ready).toEqual({ kind: 'http', url: 'http://127.0.0.1:19444/ready' });
    expect(proc(p, 'be-east-flanders/gateway').env.MESH_PEERS).toBe(
      'https://127.0.0.1:19440,https://127.0.0.1:19441,https://127.0.0.1:19442',
    );
  });

  it('leaves TLS material and the realm token unset (development identities, open realm on loopback)', () => {
    for (const x of p.processes) {
      expect(Object.keys(x.env).filter((k) => /^MACULA_TLS_(CERT|KEY|CA)$|^MACULA_TOKEN$/.test(k))).toEqual(
        [],
      );
      expect(x.env.MACULA_TLS_INSECURE).toBe('1');
    }
    const withToken = plan({ secrets: { meshSecret: SECRET, realmToken: 'tok-123' } });
    expect(withToken.processes.every((x) => x.env.MACULA_TOKEN === 'tok-123')).toBe(true);
  });

  it('points every app at its own cluster gateway with the env of docs/configuration.md', () => {
    expect(proc(p, 'macula-hub/simulation').env).toMatchObject({
      MACULA_URL: 'https://127.0.0.1:19440',
      SIMULATION_SPEED: '105120',
      SIMULATION_START_DATE: '2025-01-01T00:00:00Z',
      TICK_MS: '1000',
    });
    expect(proc(p, 'be-brabant/homes').env).toMatchObject({
      MACULA_URL: 'https://127.0.0.1:19442',
      REGION: 'brabant',
      HOMES_SOURCES: 'brabant.json',
    });
    expect(proc(p, 'be-east-flanders/utilities').env).toMatchObject({
      MACULA_URL: 'https://127.0.0.1:19443',
      REGION: 'east-flanders',
      PROVIDERS_COUNT: '5',
      PROVIDERS_SOURCES: 'providers.json',
    });
    expect(proc(p, 'be-antwerp/homes').args).toEqual(['app', 'homes']);
  });

  it('gives every app a HEALTH_PORT after the gateway ports and waits on its /ready', () => {
    const apps = p.processes.filter((x) => x.kind === 'app');
    expect(apps.map((x) => Number(x.env.HEALTH_PORT))).toEqual([
      19448, 19449, 19450, 19451, 19452, 19453, 19454,
    ]);
    for (const a of apps) {
      expect(a.ready).toEqual({ kind: 'http', url: `http://127.0.0.1:${a.env.HEALTH_PORT}/ready` });
      expect(a.healthUrl).toBe(`http://127.0.0.1:${a.env.HEALTH_PORT}`);
    }
  });

  it('claims every port once, gateway ports on UDP and TCP', () => {
    const ports = p.ports.map((c) => c.port);
    expect(new Set(ports).size).toBe(ports.length);
    expect(ports).toHaveLength(15);
    expect(p.ports.find((c) => c.port === 19441)).toMatchObject({ protocols: ['udp', 'tcp'] });
    expect(p.ports.find((c) => c.port === 19454)?.owner).toMatch(/be-east-flanders\/homes/);
  });

  it('says what is not part of the local run yet, and why', () => {
    expect(p.skipped.map((s) => `${s.cluster}/${s.what}: ${s.reason}`)).toEqual([
      'macula-hub/PostgreSQL: no database for this run (PlanOptions.database)',
      'macula-hub/projections: not built yet',
      'macula-hub/queries: not built yet',
      'macula-hub/dashboard: not built yet',
    ]);
  });

  it('leaves out database apps even once built, until PostgreSQL is part of the run', () => {
    const all = plan({ isBuilt: () => true });
    expect(all.processes.map((x) => x.app).filter(Boolean)).not.toContain('projections');
    expect(all.skipped.find((s) => s.what === 'dashboard')?.reason).toMatch(/PostgreSQL/);
  });
});

describe('layouts and options', () => {
  it('ring: four links, two peers per gateway', () => {
    const p = plan({ layout: 'ring' });
    expect(p.links).toHaveLength(4);
    expect(p.gateways.map((g) => g.peers.length)).toEqual([2, 2, 2, 2]);
    expect(proc(p, 'be-antwerp/gateway').env.MESH_PEERS.split(',')).toHaveLength(2);
  });

  it('hub: edges dial the hub through HUB_GATEWAY_URL and not each other', () => {
    const p = plan({ layout: 'hub' });
    expect(p.links).toHaveLength(3);
    expect(proc(p, 'macula-hub/gateway').env.MESH_PEERS).toBe(
      'https://127.0.0.1:19441,https://127.0.0.1:19442,https://127.0.0.1:19443',
    );
    expect(proc(p, 'macula-hub/gateway').env.HUB_GATEWAY_URL).toBeUndefined();
    expect(proc(p, 'be-brabant/gateway').env).toMatchObject({
      MESH_PEERS: '',
      HUB_GATEWAY_URL: 'https://127.0.0.1:19440',
    });
    expect(p.gateways.find((g) => g.id === 'macula-hub')?.peers).toHaveLength(3);
  });

  it('--transport tls uses tls:// for peers and apps', () => {
    const p = plan({ transport: 'tls' });
    expect(proc(p, 'be-antwerp/gateway').env.MESH_PEERS).toMatch(/^tls:\/\/127\.0\.0\.1:19440,/);
    expect(proc(p, 'be-antwerp/homes').env.MACULA_URL).toBe('tls://127.0.0.1:19441');
    expect(p.gateways[0]!.clientUrl).toBe('tls://127.0.0.1:19440');
  });

  it('--homes picks the bundled files per region, else generated files in the run folder', () => {
    expect(proc(plan({ homes: 1000 }), 'be-east-flanders/homes').env.HOMES_SOURCES).toBe(
      'east-flanders-1000',
    );
    expect(proc(plan({ homes: 50 }), 'be-antwerp/homes').env.HOMES_SOURCES).toBe('antwerp');
    const big = plan({ homes: 4000, homesDir: '/run/homes' });
    expect(proc(big, 'be-brabant/homes').env.HOMES_SOURCES).toBe('/run/homes/brabant-4000.json');
    // More homes get longer to load and announce themselves.
    expect(proc(big, 'be-brabant/homes').readyTimeoutMs).toBeGreaterThan(
      proc(plan({ homes: 50 }), 'be-brabant/homes').readyTimeoutMs!,
    );
    for (const bad of [0, 20_001, 2.5]) {
      expect(() => plan({ homes: bad })).toThrow(
        new LaunchError(`--homes: expected an integer from 1 to 20000, got ${bad}`),
      );
    }
  });

  it('gives the hub gateway, and only it, a durable log folder under the run folder', () => {
    const p = plan({ gatewayDataDir: '/run/gateways' });
    expect(proc(p, 'macula-hub/gateway').env.GATEWAY_DATA_DIR).toBe('/run/gateways/macula-hub');
    for (const edge of ['be-antwerp', 'be-brabant', 'be-east-flanders'])
      expect(proc(p, `${edge}/gateway`).env.GATEWAY_DATA_DIR).toBeUndefined();
    expect(proc(plan(), 'macula-hub/gateway').env.GATEWAY_DATA_DIR).toBeUndefined();
  });

  it('points each gateway, and only gateways, at its kept development identity when given', () => {
    const identities = new Map(
      dev.clusters.map((c) => [
        c.name,
        { cert: `/run/identities/${c.name}.crt`, key: `/run/identities/${c.name}.key` },
      ]),
    );
    const p = plan({ identities });
    for (const c of dev.clusters) {
      const env = proc(p, `${c.name}/gateway`).env;
      expect([env.MACULA_TLS_CERT, env.MACULA_TLS_KEY]).toEqual([
        `/run/identities/${c.name}.crt`,
        `/run/identities/${c.name}.key`,
      ]);
    }
    for (const x of p.processes.filter((x) => x.kind !== 'gateway'))
      expect(x.env.MACULA_TLS_CERT).toBeUndefined();
  });

  it('a custom layout in the stack needs --layout', () => {
    const custom = {
      ...dev,
      mesh: { layout: 'custom' as const, links: [['macula-hub', 'be-antwerp']] as [string, string][] },
    };
    expect(() => plan({}, custom)).toThrow(
      /mesh layout 'custom' is not supported by the local run; pass --layout full\|ring\|hub/,
    );
    expect(plan({ layout: 'hub' }, custom).links).toHaveLength(3);
  });

  it('a base port whose range does not fit is refused with the range', () => {
    expect(() => plan({ basePort: 65530 })).toThrow(
      '--base-port: expected an integer from 1024 to 65521 (15 ports are used from it), got 65530',
    );
    expect(() => plan({ basePort: 80 })).toThrow(/--base-port: .* got 80/);
  });

  it('property: any base port and layout claim distinct ports inside [base, base + 15)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1024, max: 65521 }),
        fc.constantFrom('full', 'ring', 'hub' as const),
        (base, layout) => {
          const p = plan({ basePort: base, layout });
          const ports = p.ports.map((c) => c.port);
          expect(new Set(ports).size).toBe(ports.length);
          expect(Math.min(...ports)).toBe(base);
          expect(Math.max(...ports)).toBe(base + 14);
          for (const x of p.processes.filter((y) => y.kind === 'app')) {
            const gw = p.gateways.find((g) => g.id === x.cluster)!;
            expect(x.env.MACULA_URL).toBe(gw.clientUrl);
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe("the dashboard's admin URLs and token (the stack model's GATEWAY_ADMIN_*, mapped to the run)", () => {
  const full = (over: Partial<PlanOptions> = {}) =>
    plan({
      isBuilt: () => true,
      database: { url: 'postgres://u:p@127.0.0.1:5432/cortexiq', description: 'the test database' },
      secrets: { meshSecret: SECRET, secretKeyBase: 'k'.repeat(48) },
      ...over,
    });

  it('polls the four admin APIs on loopback; without a token no process gets one', () => {
    const p = full();
    expect(proc(p, 'macula-hub/dashboard').env.GATEWAY_ADMIN_URLS).toBe(
      'http://127.0.0.1:19444,http://127.0.0.1:19445,http://127.0.0.1:19446,http://127.0.0.1:19447',
    );
    expect(p.gateways.map((g) => g.adminUrl).join(',')).toBe(
      proc(p, 'macula-hub/dashboard').env.GATEWAY_ADMIN_URLS,
    );
    for (const x of p.processes) expect(Object.keys(x.env).filter((k) => /ADMIN_TOKEN/.test(k))).toEqual([]);
  });

  it('gives every gateway ADMIN_TOKEN and the dashboard the same GATEWAY_ADMIN_TOKEN when the run has one', () => {
    const p = full({ secrets: { meshSecret: SECRET, secretKeyBase: 'k'.repeat(48), adminToken: 'adm-1' } });
    const gateways = p.processes.filter((x) => x.kind === 'gateway');
    expect(gateways.map((g) => g.env.ADMIN_TOKEN)).toEqual(['adm-1', 'adm-1', 'adm-1', 'adm-1']);
    expect(p.gateways.every((g) => g.adminToken === 'adm-1')).toBe(true);
    expect(proc(p, 'macula-hub/dashboard').env.GATEWAY_ADMIN_TOKEN).toBe('adm-1');
    const others = p.processes.filter((x) => x.kind !== 'gateway' && x.app !== 'dashboard');
    expect(others.flatMap((x) => Object.keys(x.env).filter((k) => /ADMIN_TOKEN/.test(k)))).toEqual([]);
  });

  it('--netns: the hub on its loopback, the other gateways at their mesh addresses', () => {
    const names = dev.clusters.map((c) => c.name);
    const p = full({ netns: placementOf(3, names) });
    expect(proc(p, 'macula-hub/dashboard').env.GATEWAY_ADMIN_URLS).toBe(
      'http://127.0.0.1:19444,http://10.77.0.2:19445,http://10.77.0.3:19446,http://10.77.0.4:19447',
    );
  });
});
