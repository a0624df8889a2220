import { readdirSync, readFileSync } from 'node:fs';
import { loadQuinn, QUINN_WORKER_THREADS } from '../../gateway/transport/quinn-native';

function tokioWorkers(): number {
  return readdirSync('/proc/self/task').filter(
    (t) => readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim() === 'tokio-rt-worker',
  ).length;
}

const linux = process.platform === 'linux' ? it : it.skip;

describe('quinn runtime', () => {
  linux('runs the binding on one tokio worker thread unless TOKIO_WORKER_THREADS says otherwise', () => {
    const preset = process.env.TOKIO_WORKER_THREADS;
    loadQuinn();
    expect(process.env.TOKIO_WORKER_THREADS).toBe(preset ?? QUINN_WORKER_THREADS);
    expect(tokioWorkers()).toBe(Number(process.env.TOKIO_WORKER_THREADS));
  });
});
