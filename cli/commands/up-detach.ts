/**
 * `cortexiq up --detach`: starts the same `up` as a background process whose output goes to
 * `<data dir>/up.log`, shows its start-up progress here, and returns once the run is ready (or
 * failed, with the log's last lines). The background run is found later through its state file.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliError } from '../cli-error';
import { CLI_ENTRY } from '../../launcher';
import { readRunState } from '../../launcher/run-state';

/** The last line of the ready summary (loopback or network namespaces). */
const SUMMARY_END = /^ {2}(local only|network namespaces):/m;
const START_TIMEOUT_MS = 300_000;

export async function detach(args: readonly string[], dataDir: string): Promise<void> {
  fs.mkdirSync(dataDir, { recursive: true });
  const log = path.join(dataDir, 'up.log');
  const fd = fs.openSync(log, 'w');
  const child = spawn(process.execPath, [CLI_ENTRY, 'up', ...args.filter((a) => a !== '--detach')], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, CORTEXIQ_DETACHED_LOG: log },
  });
  fs.closeSync(fd);
  let exit: number | null | undefined;
  child.once('exit', (code) => (exit = code));
  child.unref();

  let shown = 0;
  const show = (): string => {
    const text = fs.readFileSync(log, 'utf8');
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    if (complete.length > shown) process.stdout.write(complete.slice(shown));
    shown = Math.max(shown, complete.length);
    return text;
  };
  const until = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const text = show();
    if (SUMMARY_END.test(text) && readRunState(dataDir)?.phase === 'ready') break;
    if (exit !== undefined)
      throw new CliError(`the background run ended while starting (exit code ${exit}); its log: ${log}`);
    if (Date.now() > until) {
      process.kill(child.pid!, 'SIGTERM');
      throw new CliError(
        `the background run was not ready after ${START_TIMEOUT_MS / 1000} s; stopped it; its log: ${log}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const dirArg = path.resolve(dataDir) === path.resolve('.cortexiq') ? '' : ` --data-dir ${dataDir}`;
  process.stdout.write(
    `running in the background (pid ${child.pid}); \`cortexiq status${dirArg}\` shows it, ` +
      `\`cortexiq down${dirArg}\` stops it; output in ${log}\n`,
  );
}
