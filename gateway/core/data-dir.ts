/**
 * Checks on GATEWAY_DATA_DIR at start, so a folder the gateway could not write is named before it
 * accepts a single durable subscription rather than at its first batch.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Why `dir` cannot hold the durable log, or undefined when it can (or can be made there). */
export function dataDirProblem(dir: string): string | undefined {
  const path = resolve(dir);
  let st;
  try {
    st = statSync(path);
  } catch {
    // Not there yet: the gateway makes it, so its nearest existing parent must be writable.
    let parent = dirname(path);
    let parentSt;
    for (;;) {
      try {
        parentSt = statSync(parent);
        break;
      } catch {
        if (parent === dirname(parent)) return `'${dir}' cannot be made: no existing parent folder`;
        parent = dirname(parent);
      }
    }
    if (!parentSt.isDirectory()) return `'${dir}' cannot be made: '${parent}' is not a folder`;
    return writable(parent) ? undefined : `'${dir}' does not exist and '${parent}' is not writable`;
  }
  if (!st.isDirectory()) return `'${dir}' is not a folder`;
  if (!writable(path)) return `'${dir}' is not writable`;
  return undefined;
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
