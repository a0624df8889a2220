/**
 * `cortexiq up --netns` and `cortexiq fault` at the command line: clear messages and exit codes for
 * bad input, for a machine that cannot make namespaces (code 2), and for a run id in use; and the
 * leftovers of a crashed run (a namespace with a process still in it, a stale state file) removed
 * before a new run starts. The parts that need `ip netns` are skipped with the reason printed.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { readState, removeState, stateFile, writeState } from '../../launcher/netns/state';
import { miniStackDir, removeTempDirs, ROOT, startUp } from './cli-run';
import { netnsUnavailableSync } from './netns-run';

const BIN = `${ROOT}/bin/cortexiq.js`;
const cli = (args: string[], prefix: string[] = []) => {
  const [cmd, ...rest] = [...prefix, process.execPath, BIN, ...args];
  const r = spawnSync(cmd!, rest, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};

const unavailable = netnsUnavailableSync();
if (unavailable) process.stdout.write(`netns CLI tests that need ip netns skipped: ${unavailable}\n`);
const withNetns = unavailable ? it.skip : it;

afterAll(removeTempDirs);

describe('bad input', () => {
  it('names a bad option of up and of fault', () => {
    expect(cli(['up', '--netns-id', '3'])).toMatchObject({
      code: 2,
      out: expect.stringContaining('--netns-id: only with --netns'),
    });
    expect(cli(['up', '--netns', '--netns-id', '64'])).toMatchObject({
      code: 2,
      out: expect.stringContaining('--netns-id: expected an integer from 0 to 63, got 64'),
    });
    expect(cli(['fault', 'break', 'a', 'b'])).toMatchObject({
      code: 2,
      out: expect.stringContaining("expected cut, heal or delay, got 'break'"),
    });
    expect(cli(['fault', 'cut', 'macula-hub'])).toMatchObject({
      code: 2,
      out: expect.stringContaining('cut: expected two cluster names (or all)'),
    });
    expect(cli(['fault', 'delay', 'a', 'b', '--ms', 'soon'])).toMatchObject({
      code: 2,
      out: expect.stringContaining("--ms: expected a number from 0 to 60000, got 'soon'"),
    });
    expect(cli(['fault', 'cut', 'a', 'b', '--ms', '5'])).toMatchObject({
      code: 2,
      out: expect.stringContaining('--ms and --loss belong to delay, not cut'),
    });
  });

  it('says why and exits with code 2 where namespaces cannot be made (here: not root)', () => {
    // As root, drop to nobody for this one command; as any other user, that user is already not root.
    const root = process.getuid?.() === 0;
    const setpriv = root ? spawnSync('setpriv', ['--version']).status === 0 : false;
    if (root && !setpriv)
      return void process.stdout.write('skipped: no setpriv to run as a user other than root\n');
    const prefix = root ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
    const up = cli(['up', '--netns', '--duration', '1'], prefix);
    expect(up.code).toBe(2);
    expect(up.out).toMatch(/cortexiq up: --netns: network namespaces need (root|Linux)/);
    const fault = cli(['fault', 'cut', 'macula-hub', 'be-antwerp'], prefix);
    expect(fault).toMatchObject({
      code: 2,
      out: expect.stringMatching(/network namespaces need (root|Linux)/),
    });
  });
});

describe('runs and leftovers', () => {
  afterEach(() => {
    for (const id of [60, 61, 62]) removeState(id);
  });

  withNetns('fault without a running netns run says so', () => {
    expect(cli(['fault', 'cut', 'macula-hub', 'be-antwerp', '--netns-id', '62'])).toMatchObject({
      code: 1,
      out: expect.stringContaining("no 'cortexiq up --netns --netns-id 62' is running"),
    });
  });

  withNetns('refuses a run id whose run is alive', () => {
    writeState({
      runId: 60,
      pid: process.pid,
      startedAt: '',
      layout: { runId: 60, clusters: [], links: [] },
      gatewayPorts: {},
      faults: {},
    });
    const r = cli(['up', '--netns', '--netns-id', '60', '--duration', '1']);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`--netns-id 60 is in use by a running 'cortexiq up --netns' (pid ${process.pid}`);
    expect(readState(60)?.pid).toBe(process.pid); // left alone
  });

  withNetns(
    'removes what a crashed run left (namespace, process inside, state file), then runs and cleans up',
    async () => {
      // What a run killed with SIGKILL leaves: its namespace, a process still in it, its state file.
      spawnSync('ip', ['netns', 'add', 'cq-61-macula-hub']);
      const orphan = spawn('ip', ['netns', 'exec', 'cq-61-macula-hub', 'sleep', '600'], { stdio: 'ignore' });
      writeState({
        runId: 61,
        pid: 999_999,
        startedAt: '',
        layout: { runId: 61, clusters: [], links: [] },
        gatewayPorts: {},
        faults: {},
      });
      const orphanGone = new Promise((r) => orphan.once('exit', r));
      const up = startUp(
        ['--netns', '--netns-id', '61', '--stack', 'mini', '--apps', 'simulation', '--duration', '1'],
        miniStackDir(),
      );
      await up.waitForLine(
        /^netns: removed what an earlier run with id 61 left: cq-61-macula-hub and 1 processes in them$/,
        30_000,
      );
      await orphanGone;
      expect(await up.exit).toEqual({ code: 0, signal: null });
      expect(up.output()).toMatch(/CortexIQ mesh is up: 2 processes ready/);
      expect(up.output()).toMatch(/^netns: removed 1 namespaces$/m);
      expect(fs.existsSync(stateFile(61))).toBe(false);
      expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toContain('cq-61-');
    },
    90_000,
  );
});
