#!/usr/bin/env node
// The package's one CLI. It runs the compiled JavaScript in dist/ (built by `npm run build`, which
// `npm ci` runs) when that build is newer than every source file, and otherwise the TypeScript
// sources through tsx, so an edit never runs stale code and a checkout needs no build to work.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
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

function distIsFresh() {
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

if (distIsFresh()) {
  require(path.join(root, 'dist', 'cli', 'main.js')).main(process.argv.slice(2));
} else {
  require('tsx/cjs');
  require('../cli/main.ts').main(process.argv.slice(2));
}
