/**
 * `cortexiq up --detach`, `status` and `down` for real, on the one-cluster mini stack (gateway and
 * clock only): the run goes to the background once ready, a second `up` on its folder is refused,
 * `status` reports it from the live APIs, `down` stops it leaving no process and no state file.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isRunning, miniStackDir, randomBasePort, removeTempDirs, ROOT } from './cli-run';

const BIN = path.join(ROOT, 'bin', 'cortexiq.js');

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('cortexiq up --detach, status, down', () => {
  const cwd = miniStackDir();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cortexiq-detach-'));
  const base = randomBasePort();
  let upPid = 0;

  afterAll(() => {
    if (upPid && isRunning(upPid)) process.kill(upPid, 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
    removeTempDirs();
  });

  it('returns once the run is ready, leaving it in the background', () => {
    const r = cli(
      [
        'up',
        '--detach',
        '--stack',
        'mini',
        '--apps',
        'simulation',
        '--base-port',
        String(base),
        '--data-dir',
        dataDir,
      ],
      cwd,
    );
    expect(r).toMatchObject({ code: 0 });
    expect(r.out).toMatch(/CortexIQ mesh is up: 2 processes ready/);
    const m = /running in the background \(pid (\d+)\); `cortexiq status --data-dir (\S+)` shows it/.exec(
      r.out,
    );
    expect(m?.[2]).toBe(dataDir);
    upPid = Number(m![1]);
    expect(isRunning(upPid)).toBe(true);
    expect(fs.readFileSync(path.join(dataDir, 'up.log'), 'utf8')).toMatch(/ready {2}macula-hub\/simulation/);
  }, 150_000);

  it('refuses a second run on the same folder, naming the first', () => {
    const r = cli(['up', '--stack', 'mini', '--base-port', String(base + 50), '--data-dir', dataDir], cwd);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`a run is already going in ${dataDir} (pid ${upPid}`);
  });

  it('status reports the processes and the clock as live', () => {
    const r = cli(['status', '--data-dir', dataDir, '--json'], cwd);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out) as {
      pid: number;
      phase: string;
      processes: { name: string; alive: boolean; ready: boolean }[];
    };
    expect(s).toMatchObject({ pid: upPid, phase: 'ready' });
    expect(s.processes.map((p) => [p.name, p.alive, p.ready])).toEqual([
      ['macula-hub/gateway', true, true],
      ['macula-hub/simulation', true, true],
    ]);
  }, 30_000);

  it('down stops it: no process, no state file; status then says there is no run', () => {
    const r = cli(['down', '--data-dir', dataDir], cwd);
    expect(r).toMatchObject({ code: 0 });
    expect(r.out).toMatch(/stopped in [\d.]+ s/);
    expect(isRunning(upPid)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'run.json'))).toBe(false);
    expect(fs.readFileSync(path.join(dataDir, 'up.log'), 'utf8')).toMatch(/stopped 2 processes/);
    expect(cli(['status', '--data-dir', dataDir], cwd)).toMatchObject({ code: 3 });
    expect(cli(['down', '--data-dir', dataDir], cwd).out).toMatch(/no run in/);
  }, 90_000);
});
