/**
 * The `--netns` side of the local run, without root: the namespaces' names and addresses
 * (launcher/netns/layout.ts) and what they change in the plan (launcher/plan.ts): gateways dial each
 * other at their clusters' own addresses, everything listens inside its namespace, this machine
 * reaches the ports over the host links, and no loopback port is checked in the root namespace.
 */
import * as path from 'node:path';
import { planLocalRun } from '../../launcher';
import { NetnsError } from '../../launcher/netns/errors';
import { endsFrom, linkBetween, netnsLayout } from '../../launcher/netns/layout';
import { placementOf } from '../../launcher/netns/run';
import { loadStackFile, type AppName } from '../../stacks';

const ROOT = path.resolve(__dirname, '..', '..');
const dev = loadStackFile('dev', ROOT).config;
const NAMES = dev.clusters.map((c) => c.name);
const BUILT: readonly AppName[] = ['simulation', 'homes', 'utilities'];

describe('netns layout', () => {
  const full = netnsLayout(7, NAMES, [
    ['macula-hub', 'be-antwerp'],
    ['macula-hub', 'be-brabant'],
    ['be-antwerp', 'be-brabant'],
  ]);

  it('gives each cluster a cq- namespace of the run, an own address and a host link', () => {
    expect(
      full.clusters.map((c) => [c.namespace, c.meshAddress, c.hostAddress, c.rootAddress, c.rootDevice]),
    ).toEqual([
      ['cq-7-macula-hub', '10.77.0.1', '10.79.7.2', '10.79.7.1', 'cq-7-h0'],
      ['cq-7-be-antwerp', '10.77.0.2', '10.79.7.6', '10.79.7.5', 'cq-7-h1'],
      ['cq-7-be-brabant', '10.77.0.3', '10.79.7.10', '10.79.7.9', 'cq-7-h2'],
      ['cq-7-be-east-flanders', '10.77.0.4', '10.79.7.14', '10.79.7.13', 'cq-7-h3'],
    ]);
    for (const c of full.clusters) expect(c.rootDevice.length).toBeLessThanOrEqual(15); // IFNAMSIZ - 1
  });

  it('makes one /30 per mesh link, its devices named after the far cluster', () => {
    expect(full.links[2]).toEqual({
      a: { cluster: 'be-antwerp', device: 'cq-to-2', address: '10.78.2.1' },
      b: { cluster: 'be-brabant', device: 'cq-to-1', address: '10.78.2.2' },
    });
    const link = linkBetween(full, 'be-brabant', 'be-antwerp'); // either order
    expect(endsFrom(link, 'be-brabant').far).toEqual(link.a);
  });

  it('names what is wrong with a pair', () => {
    expect(() => linkBetween(full, 'macula-hub', 'be-east-flanders')).toThrow(
      new NetnsError(
        "no mesh link between macula-hub and be-east-flanders in this run's layout; links: macula-hub–be-antwerp, macula-hub–be-brabant, be-antwerp–be-brabant",
      ),
    );
    expect(() => linkBetween(full, 'macula-hub', 'be-limburg')).toThrow(
      /no cluster 'be-limburg' in this run/,
    );
    expect(() => linkBetween(full, 'be-antwerp', 'be-antwerp')).toThrow(/got be-antwerp twice/);
  });

  it('refuses a run id outside 0-63', () => {
    expect(() => netnsLayout(64, NAMES, [])).toThrow('--netns-id: expected an integer from 0 to 63, got 64');
    expect(() => netnsLayout(-1, NAMES, [])).toThrow(/got -1/);
  });
});

describe('plan with --netns', () => {
  const p = planLocalRun(dev, {
    basePort: 39440,
    transport: 'quic',
    secrets: { meshSecret: 'mesh-secret-for-tests-0123456789' },
    isBuilt: (app) => BUILT.includes(app),
    netns: placementOf(3, NAMES),
  });
  const proc = (name: string) => p.processes.find((x) => x.name === name)!;

  it('runs every process in its cluster namespace', () => {
    expect(p.processes.map((x) => [x.name, x.netns])).toContainEqual(['be-brabant/homes', 'cq-3-be-brabant']);
    expect(p.processes.every((x) => x.netns === `cq-3-${x.cluster}`)).toBe(true);
  });

  it('has gateways dial the own addresses and listen on every address of their namespace', () => {
    expect(proc('be-antwerp/gateway').env).toMatchObject({
      MACULA_GATEWAY_HOST: '0.0.0.0',
      ADMIN_HOST: '0.0.0.0',
      MESH_PEERS: 'https://10.77.0.1:39440,https://10.77.0.3:39442,https://10.77.0.4:39443',
    });
    // Apps reach their own gateway on their namespace's loopback.
    expect(proc('be-antwerp/homes').env).toMatchObject({
      MACULA_URL: 'https://127.0.0.1:39441',
      HEALTH_HOST: '0.0.0.0',
    });
  });

  it('reaches every port from this machine over the host links, and checks no loopback port', () => {
    expect(p.gateways.find((g) => g.id === 'be-antwerp')).toMatchObject({
      clientUrl: 'https://10.79.3.6:39441',
      adminUrl: 'http://10.79.3.6:39445',
    });
    expect(proc('be-antwerp/gateway').ready.url).toBe('http://10.79.3.6:39445/ready');
    expect(proc('be-antwerp/homes').healthUrl).toMatch(/^http:\/\/10\.79\.3\.6:394\d\d$/);
    expect(p.ports).toEqual([]);
  });
});
