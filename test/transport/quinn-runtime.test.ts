/**
 * The quinn binding's tokio runtime runs one worker thread (quinn-native.ts explains why), unless
 * TOKIO_WORKER_THREADS says otherwise. Checked in a fresh child process: the runtime starts once per
 * process, when the native module loads, and jest's workers may have loaded it already.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { QUINN_WORKER_THREADS } from '../../gateway/transport/quinn-native';

const ROOT = path.join(__dirname, '..', '..');
const PROBE = `
const fs = require('node:fs');
require('./gateway/transport/quinn-native').loadQuinn();
const count = () => fs.readdirSync('/proc/self/task').filter(
  (t) => fs.readFileSync('/proc/self/task/' + t + '/comm', 'utf8').trim() === 'tokio-rt-worker',
).length;
// The workers start asynchronously after the load: wait until the count has held for 200 ms.
let last = -1, since = Date.now();
const t = setInterval(() => {
  const n = count();
  if (n !== last) { last = n; since = Date.now(); }
  if (n > 0 && Date.now() - since >= 200) {
    clearInterval(t);
    process.stdout.write(JSON.stringify({ workers: n, env: process.env.TOKIO_WORKER_THREADS }));
  }
}, 20);
setTimeout(() => { clearInterval(t); process.stdout.write(JSON.stringify({ workers: count(), env: process.env.TOKIO_WORKER_THREADS })); }, 5000).unref();
`;

function probe(tokioWorkerThreads?: string): { workers: number; env: string } {
  const env = { ...process.env };
  delete env.TOKIO_WORKER_THREADS;
  if (tokioWorkerThreads) env.TOKIO_WORKER_THREADS = tokioWorkerThreads;
  const out = execFileSync(process.execPath, ['-r', 'tsx/cjs', '-e', PROBE], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
  });
  return JSON.parse(out) as { workers: number; env: string };
}

const linux = process.platform === 'linux' ? it : it.skip;

describe('quinn runtime', () => {
  linux('runs the binding on one tokio worker thread by default', () => {
    expect(probe()).toEqual({ workers: Number(QUINN_WORKER_THREADS), env: QUINN_WORKER_THREADS });
  });

  linux('keeps a TOKIO_WORKER_THREADS the operator set', () => {
    expect(probe('2')).toEqual({ workers: 2, env: '2' });
  });
});
