// Whether dist/ (built by `npm run build`) is newer than every TypeScript source it is built from.
// The CLI runs dist/ only then, and the benchmarks load the client from it only then, so an edit
// never runs stale code.
const fs = require('node:fs');
const path = require('node:path');

const SOURCE_DIRS = ['gateway', 'apps', 'cli', 'launcher', 'stacks'];

function newestSource(dir, newest) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = newestSource(p, newest);
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.json'))
      newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** True when `root`/dist holds a build at least as new as every source file under `root`. */
function distIsFresh(root) {
  if (process.env.CORTEXIQ_FROM_SOURCE === '1') return false;
  let built;
  try {
    built = fs.statSync(path.join(root, 'dist', '.build-stamp')).mtimeMs;
  } catch {
    return false;
  }
  let newest = 0;
  for (const dir of SOURCE_DIRS)
    if (fs.existsSync(path.join(root, dir))) newest = newestSource(path.join(root, dir), newest);
  return newest <= built;
}

module.exports = { distIsFresh };
