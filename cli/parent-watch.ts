/**
 * A process the launcher starts has a process group of its own (launcher/child.ts), so nothing
 * reaches it when the launcher dies without stopping it (SIGKILL, the OOM killer). Its stdin is a
 * pipe from the launcher that is never written to: the pipe's end means the launcher is gone, and
 * the process stops itself the way SIGTERM stops it (docs/local-run.md, "Stopping").
 */

/** Set by the launcher on each child: "1" when the child's stdin is that pipe. */
export const PARENT_PIPE_ENV = 'CORTEXIQ_PARENT_PIPE';

export function watchParent(env: NodeJS.ProcessEnv = process.env): void {
  if (env[PARENT_PIPE_ENV] !== '1') return;
  // Not handed on: a grandchild's stdin is not that pipe.
  delete env[PARENT_PIPE_ENV];
  let gone = false;
  const stop = () => {
    if (gone) return;
    gone = true;
    // Nothing reads our output any more. At exit the logger flushes what it buffered, and on a
    // broken pipe sonic-boom's flushSync retries forever (seen: all four gateways hung there), so
    // once the stop has done its work the process ends before any other exit hook runs.
    process.prependListener('exit', () => process.kill(process.pid, 'SIGKILL'));
    process.kill(process.pid, 'SIGTERM');
  };
  process.stdin.once('end', stop);
  process.stdin.once('close', stop);
  process.stdin.resume();
  // Watching must not keep the process alive once it has stopped its own work.
  (process.stdin as { unref?: () => void }).unref?.();
}
