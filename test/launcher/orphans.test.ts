/**
 * The launcher killed without a chance to stop its processes (SIGKILL, the OOM killer): each of
 * them has a process group of its own, so only the end of its stdin pipe tells it (cli/parent-watch.ts).
 * Every process, the embedded PostgreSQL's server among them, must then stop by itself.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { waitFor } from '../helpers/mesh';
import { freshDataDir, isRunning, parsePids, randomBasePort, startUp } from './cli-run';

test('every process of a run stops by itself when the launcher is SIGKILLed', async () => {
  const dataDir = freshDataDir();
  const up = startUp(['--data-dir', dataDir, '--base-port', String(randomBasePort()), '--homes', '20']);
  await up.waitForLine(/CortexIQ mesh is up: 15 processes ready in [\d.]+ s/, 150_000);
  await up.waitForLine(/^ {2}local only:/, 5_000); // the end of the summary: pids are printed
  const pids = [...parsePids(up.output())];
  const postmaster = path.join(dataDir, 'pg', 'postmaster.pid');
  expect(existsSync(postmaster)).toBe(true);

  up.proc.kill('SIGKILL');
  await up.exit;
  // Apps whose gateway went at the same moment give up their last flush after a few seconds.
  await waitFor(() => pids.every(([, pid]) => !isRunning(pid)), 30_000, 'every process to stop');
  expect(pids.filter(([, pid]) => isRunning(pid))).toEqual([]);
  await waitFor(() => !existsSync(postmaster), 10_000, 'the PostgreSQL server to stop');
}, 200_000);
