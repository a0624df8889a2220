/**
 * The gateway client the bench drives: the compiled one in dist/ when that build is fresh, as apps
 * run it (bin/cortexiq.js runs dist/), and the TypeScript sources through tsx otherwise. Code run
 * through tsx reads every imported name through a getter (esbuild's CommonJS interop), which cost
 * the client about 5 % of its CPU per message in the naive loop.
 */
import { join } from 'node:path';
import type * as ClientModule from '../../gateway/client';

const ROOT = join(__dirname, '..', '..');
// A plain CommonJS helper shared with bin/cortexiq.js.
const { distIsFresh } = require('../../bin/dist-fresh') as { distIsFresh: (root: string) => boolean };

let loaded: { module: typeof ClientModule; from: 'dist' | 'source' } | undefined;

function load(): { module: typeof ClientModule; from: 'dist' | 'source' } {
  if (distIsFresh(ROOT))
    return { module: require(join(ROOT, 'dist', 'gateway', 'client')) as typeof ClientModule, from: 'dist' };
  return { module: require('../../gateway/client') as typeof ClientModule, from: 'source' };
}

export function benchClientModule(): typeof ClientModule {
  loaded ??= load();
  return loaded.module;
}

/** Where the client came from ('dist' or 'source'), for the bench's log line; loads it if needed. */
export function benchClientOrigin(): 'dist' | 'source' {
  loaded ??= load();
  return loaded.from;
}
