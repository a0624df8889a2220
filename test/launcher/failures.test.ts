/**
 * How the launcher fails and stops, with real processes kept small (one gateway, one app): a port
 * already in use is named before anything starts; a child that dies while starting stops the run
 * with its name and last output; SIGTERM stops `cortexiq up` cleanly with no child left.
 */
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as net from 'node:net';
import { passwordFor } from '../../apps/shared/db/embedded';
import {
  assertPortsFree,
  ephemeralWarning,
  LaunchError,
  LocalRun,
  planLocalRun,
  type LocalPlan,
} from '../../launcher';
import { loadStackFile } from '../../stacks';
import {
  childPids,
  freshDataDir,
  isRunning,
  miniStackDir,
  parsePids,
  randomBasePort,
  removeTempDirs,
  ROOT,
  startUp,
} from './cli-run';

afterAll(removeTempDirs);

const sink = () => {
  let text = '';
  return { write: (s: string) => (text += s), text: () => text };
};

describe('port clashes', () => {
  it('names every port in use, with the protocol and what needed it', async () => {
    const tcp = net.createServer();
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    const tcpPort = (tcp.address() as net.AddressInfo).port;
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    const udpPort = udp.address().port;
    try {
      const err = await assertPortsFree([
        { port: tcpPort, protocols: ['tcp'], owner: 'gateway a admin HTTP' },
        { port: udpPort, protocols: ['udp', 'tcp'], owner: 'gateway b (QUIC/UDP and TLS/TCP)' },
      ]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LaunchError);
      expect((err as Error).message).toContain(
        `port ${tcpPort}/tcp on 127.0.0.1 is already in use; needed by gateway a admin HTTP`,
      );
      expect((err as Error).message).toContain(
        `port ${udpPort}/udp on 127.0.0.1 is already in use; needed by gateway b (QUIC/UDP and TLS/TCP)`,
      );
      expect((err as Error).message).toMatch(/choose another range with --base-port$/);
    } finally {
      tcp.close();
      udp.close();
    }
  });

  it('warns when a claimed port lies in the range the kernel gives outgoing connections', () => {
    const [lo, hi] = fs
      .readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    const claim = (port: number) => ({ port, protocols: ['tcp'] as const, owner: 'x' });
    expect(ephemeralWarning([claim(lo - 10), claim(lo - 9)])).toBeUndefined();
    expect(ephemeralWarning([claim(lo - 1), claim(lo + 3), claim(hi)])).toBe(
      `ports ${lo + 3}–${hi} lie in the kernel's range for outgoing connections (${lo}–${hi}): one may be taken before it is bound; a --base-port below ${lo} avoids that`,
    );
  });

  it('cortexiq up refuses a taken range before starting anything', async () => {
    const base = randomBasePort();
    const tcp = net.createServer();
    await new Promise<void>((r) => tcp.listen(base + 1, '127.0.0.1', r)); // the admin port of the mini stack
    try {
      const up = startUp(
        ['--stack', 'mini', '--apps', 'simulation', '--base-port', String(base)],
        miniStackDir(),
      );
      expect((await up.exit).code).toBe(1);
      expect(up.output()).toContain(
        `port ${base + 1}/tcp on 127.0.0.1 is already in use; needed by gateway macula-hub admin HTTP`,
      );
      expect(up.output()).not.toMatch(/starting gateways/);
    } finally {
      tcp.close();
    }
  }, 30_000);
});

describe('a child that dies while starting', () => {
  it('stops the run and names the process with its last output', async () => {
    const { config } = loadStackFile('mini', miniStackDir());
    const plan = planLocalRun(config, {
      basePort: randomBasePort(),
      transport: 'quic',
      secrets: { meshSecret: 'too-short' }, // the gateway wants at least 16 characters: exits 2
      isBuilt: (app) => app === 'simulation',
    });
    const out = sink();
    const err = await LocalRun.start(plan as LocalPlan, { out }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LaunchError);
    expect((err as LaunchError).processName).toBe('macula-hub/gateway');
    expect((err as Error).message).toMatch(
      /^macula-hub\/gateway exited with code 2 while starting; its last output:/,
    );
    expect((err as Error).message).toContain('MESH_SECRET: expected at least 16 characters');
    expect(out.text()).toMatch(/starting gateways: macula-hub\/gateway/);
    expect(out.text()).not.toMatch(/starting clock/);
  }, 30_000);
});

describe('cortexiq up and SIGTERM', () => {
  it('stops every child and exits 0', async () => {
    const up = startUp(
      ['--stack', 'mini', '--apps', 'simulation', '--base-port', String(randomBasePort())],
      miniStackDir(),
    );
    await up.waitForLine(/CortexIQ mesh is up: 2 processes ready/, 30_000);
    await up.waitForLine(/Ctrl-C stops everything/, 5_000);
    const pids = parsePids(up.output());
    expect([...pids.keys()]).toEqual(['macula-hub/gateway', 'macula-hub/simulation']);
    expect(childPids(up.proc.pid!).sort()).toEqual([...pids.values()].sort());
    up.proc.kill('SIGTERM');
    expect(await up.exit).toEqual({ code: 0, signal: null });
    expect(up.output()).toMatch(/stopping \(SIGTERM\)/);
    expect(up.output()).toMatch(/stopped 2 processes in/);
    expect([...pids.values()].filter(isRunning)).toEqual([]);
  }, 45_000);

  it('while starting: stops what has started, leaves no child, exits 130', async () => {
    const up = startUp(
      ['--stack', 'mini', '--apps', 'simulation', '--base-port', String(randomBasePort())],
      miniStackDir(),
    );
    await up.waitForLine(/ready {2}macula-hub\/gateway/, 30_000);
    await up.waitForLine(/starting clock: macula-hub\/simulation/, 5_000);
    const children = childPids(up.proc.pid!);
    expect(children.length).toBeGreaterThanOrEqual(1);
    up.proc.kill('SIGTERM');
    expect((await up.exit).code).toBe(130);
    expect(up.output()).toMatch(/interrupted by SIGTERM while starting; stopped everything that had started/);
    expect(up.output()).not.toMatch(/CortexIQ mesh is up/);
    expect(children.filter(isRunning)).toEqual([]);
  }, 45_000);
});

describe('a data file that is missing', () => {
  it('is named before anything starts', async () => {
    // The dev stack with Brabant's homes pointing at a file that does not exist.
    const dir = miniStackDir();
    const dev = fs.readFileSync(path.join(ROOT, 'Pulumi.dev.yaml'), 'utf8');
    expect(dev).toContain('homesSources: [brabant.json]');
    fs.writeFileSync(
      path.join(dir, 'Pulumi.broken.yaml'),
      dev.replace('homesSources: [brabant.json]', 'homesSources: [brabant-missing.json]'),
    );
    const up = startUp(['--stack', 'broken', '--base-port', String(randomBasePort())], dir);
    const exit = await up.exit;
    expect(exit.code).toBe(2);
    expect(up.output()).toMatch(/be-brabant\/homes: .*brabant-missing\.json/);
    expect(up.output()).toMatch(/nothing was started/);
    expect(up.output()).not.toMatch(/starting/);
  }, 30_000);
});

describe('start order', () => {
  it('the gateways start while the database initialises; the read side waits for both', async () => {
    const { config } = loadStackFile('mini', miniStackDir());
    const pgDir = path.join(freshDataDir(), 'pg');
    const plan = planLocalRun(config, {
      basePort: randomBasePort(),
      transport: 'tls',
      secrets: { meshSecret: 'a-mesh-secret-for-the-start-order-test' },
      isBuilt: () => true,
      apps: ['queries'],
      database: { embeddedDir: pgDir, password: passwordFor(pgDir) },
    });
    expect(plan.processes.map((p) => p.name).sort()).toEqual([
      'macula-hub/gateway',
      'macula-hub/postgres',
      'macula-hub/queries',
    ]);
    const out = sink();
    const run = await LocalRun.start(plan as LocalPlan, { out });
    try {
      const lines = out.text().split('\n');
      const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
      // Both stages are under way before either is ready.
      expect(at(/starting gateways/)).toBeLessThan(at(/ready {2}macula-hub\/postgres/));
      expect(at(/starting gateways/)).toBeLessThan(at(/ready {2}macula-hub\/gateway/));
      // The queries, which read the database, start only once it and the gateway are ready.
      const queries = at(/starting providers: macula-hub\/queries/);
      expect(queries).toBeGreaterThan(at(/ready {2}macula-hub\/postgres/));
      expect(queries).toBeGreaterThan(at(/ready {2}macula-hub\/gateway/));
    } finally {
      await run.stop();
    }
  }, 120_000);
});
