#!/usr/bin/env node
/**
 * Builds the project's QUIC addon (native/quic: ngtcp2 + GnuTLS) with node-gyp, when this machine
 * has the libraries' development files (Debian: libngtcp2-dev libngtcp2-crypto-gnutls-dev
 * libgnutls28-dev). Without them it says so and exits 0: the gateway then runs QUIC on the quinn
 * binding instead (gateway/core/transports.ts). `--required` makes a missing library or a failed
 * build an error (CI uses it, so the addon can never be silently absent there).
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const required = process.argv.includes('--required');
const dir = path.join(__dirname, '..', 'native', 'quic');
const PACKAGES = ['libngtcp2', 'libngtcp2_crypto_gnutls', 'gnutls'];
const DEBIAN = 'libngtcp2-dev libngtcp2-crypto-gnutls-dev libgnutls28-dev';

function give(reason) {
  const line = `build-native: ${reason}`;
  if (required) {
    console.error(`${line}\nbuild-native: failed (--required)`);
    process.exit(1);
  }
  console.log(`${line}\nbuild-native: QUIC will use the quinn binding (MACULA_QUIC_STACK=auto)`);
  process.exit(0);
}

const pkgConfig = spawnSync('pkg-config', ['--exists', ...PACKAGES]);
if (pkgConfig.error) give('pkg-config not found; cannot look for ngtcp2 and GnuTLS');
if (pkgConfig.status !== 0)
  give(`ngtcp2/GnuTLS development files not found (Debian: apt-get install ${DEBIAN})`);

/** npm's own node-gyp: under npm scripts it is named in npm_config_node_gyp, else next to npm. */
function nodeGyp() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return fromNpm;
  const npmDir = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm');
  const bundled = path.join(npmDir, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (existsSync(bundled)) return bundled;
  try {
    return require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return undefined;
  }
}

/**
 * Node's own headers, when installed next to the binary (Debian, the official tarballs): node-gyp
 * would otherwise download them, and only nodejs.org has them.
 */
function nodeDir() {
  const prefix = path.join(path.dirname(process.execPath), '..');
  return existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? path.resolve(prefix) : undefined;
}

const gyp = nodeGyp();
if (!gyp) give('node-gyp not found (it comes with npm)');
const headers = nodeDir();
const started = Date.now();
console.log('build-native: building native/quic (ngtcp2 + GnuTLS)...');
const args = [gyp, 'rebuild', '--silent', ...(headers ? [`--nodedir=${headers}`] : [])];
const build = spawnSync(process.execPath, args, { cwd: dir, stdio: 'inherit' });
if (build.status !== 0) give(`node-gyp failed (exit ${build.status ?? build.signal})`);
console.log(`build-native: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
