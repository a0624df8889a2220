#!/usr/bin/env node
// The package's one CLI. It runs the compiled JavaScript in dist/ (built by `npm run build`, which
// `npm ci` runs) when that build is newer than every source file, and otherwise the TypeScript
// sources through tsx, so an edit never runs stale code and a checkout needs no build to work.
const path = require('node:path');
const { distIsFresh } = require('./dist-fresh');

const root = path.resolve(__dirname, '..');

if (distIsFresh(root)) {
  require(path.join(root, 'dist', 'cli', 'main.js')).main(process.argv.slice(2));
} else {
  require('tsx/cjs');
  require('../cli/main.ts').main(process.argv.slice(2));
}
