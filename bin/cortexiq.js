#!/usr/bin/env node
// The package's one CLI. It runs the TypeScript sources through tsx, so there is no build step
// between a checkout and a running mesh.
require('tsx/cjs');
require('../cli/main.ts').main(process.argv.slice(2));
