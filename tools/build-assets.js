// After `tsc -p tsconfig.build.json`: copy the data files the apps read next to their compiled
// code, and stamp the build so bin/cortexiq.js can tell a fresh dist/ from a stale one.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
for (const app of fs.readdirSync(path.join(root, 'apps'))) {
  const data = path.join(root, 'apps', app, 'data');
  if (fs.existsSync(data)) fs.cpSync(data, path.join(root, 'dist', 'apps', app, 'data'), { recursive: true });
}
// The database layer's SQL migrations and its embedded-server script (plain ESM, not compiled).
const db = path.join(root, 'apps', 'shared', 'db');
fs.cpSync(path.join(db, 'migrations'), path.join(root, 'dist', 'apps', 'shared', 'db', 'migrations'), {
  recursive: true,
});
fs.copyFileSync(
  path.join(db, 'embedded-server.mjs'),
  path.join(root, 'dist', 'apps', 'shared', 'db', 'embedded-server.mjs'),
);
fs.writeFileSync(path.join(root, 'dist', '.build-stamp'), new Date().toISOString() + '\n');

// The dashboard's browser bundle (apps/dashboard/bundle.ts, compiled just above): esbuild, at build time.
require(path.join(root, 'dist', 'apps', 'dashboard', 'bundle.js'))
  .bundleWeb()
  .catch((err) => {
    console.error(`dashboard bundle failed: ${err.message}`);
    process.exit(1);
  });
