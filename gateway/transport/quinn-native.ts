/**
 * Loads the quinn binding shipped in `@chainsafe/libp2p-quic` 2.1.1 without its ESM-only JS
 * wrapper (docs/protocol.md §8): the native platform package is CommonJS and is `require`d directly,
 * picked by OS, arch and libc the way the package's own generated loader (dist/src/napi.js) does,
 * and resolved from the location of `@chainsafe/libp2p-quic` so the two versions always match.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { QuinnBinding, QuinnConfigInit } from '../../types/quinn-native';
import { ed25519PrivateKeyProtobuf } from './libp2p-key';

export const QUIC_PACKAGE = '@chainsafe/libp2p-quic';
/** The version this transport was written and measured against; others are refused. */
export const QUIC_PACKAGE_VERSION = '2.1.1';

/**
 * `defaultOptions` of @chainsafe/libp2p-quic 2.1.1 (dist/src/index.js), copied because that module
 * is ESM-only; a test checks they still match the installed package.
 */
export const QUINN_DEFAULT_OPTIONS: Omit<QuinnConfigInit, 'privateKeyProto'> = Object.freeze({
  handshakeTimeout: 5_000,
  maxIdleTimeout: 10_000,
  keepAliveInterval: 5_000,
  maxConcurrentStreamLimit: 256,
  maxStreamData: 10_000_000,
  maxConnectionData: 15_000_000,
  receiveBufferSize: 500_000,
  sendBufferSize: 500_000,
});

function isMusl(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    return readFileSync('/usr/bin/ldd', 'utf8').includes('musl');
  } catch {
    const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
    return !report?.header?.glibcVersionRuntime;
  }
}

/** The platform suffix of the native package, e.g. `linux-x64-gnu`. */
export function platformSuffix(platform = process.platform, arch = process.arch, musl = isMusl()): string {
  if (platform === 'linux') return `linux-${arch}-${musl ? 'musl' : 'gnu'}`;
  if (platform === 'darwin') return `darwin-${arch}`;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

/** Directory of the installed @chainsafe/libp2p-quic (its `exports` hide package.json from require.resolve). */
export function quicPackageDir(): string {
  for (const base of require.resolve.paths(QUIC_PACKAGE) ?? []) {
    const dir = path.join(base, QUIC_PACKAGE);
    if (existsSync(path.join(dir, 'package.json'))) return dir;
  }
  throw new Error(
    `QUIC transport: ${QUIC_PACKAGE}@${QUIC_PACKAGE_VERSION} is not installed (run npm install)`,
  );
}

let binding: QuinnBinding | undefined;

/**
 * Tokio worker threads for the binding's runtime, unless TOKIO_WORKER_THREADS is already set.
 * Every quinn read and write is a hop between the JS thread and this runtime; with one worker
 * the endpoint, the connections and those hops share a thread, so a message wakes fewer threads
 * (strace of 2,000 echo round trips: 20k futex calls with the default of one worker per core,
 * 12k with one) and an RPC through a gateway is about 15 % faster at p50 on 2 cores, with the
 * same throughput. The runtime starts when the native module loads and reads the variable then.
 */
export const QUINN_WORKER_THREADS = '1';

export function loadQuinn(): QuinnBinding {
  if (binding) return binding;
  const dir = quicPackageDir();
  const version = (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string })
    .version;
  if (version !== QUIC_PACKAGE_VERSION) {
    throw new Error(
      `QUIC transport: expected ${QUIC_PACKAGE}@${QUIC_PACKAGE_VERSION}, found ${version} (the version is pinned)`,
    );
  }
  const native = `${QUIC_PACKAGE}-${platformSuffix()}`;
  // Unset or empty (tokio refuses an empty value): ours. An operator's value is kept. Child
  // processes inherit it, which is harmless for ours (none loads a tokio runtime).
  if (!process.env.TOKIO_WORKER_THREADS) process.env.TOKIO_WORKER_THREADS = QUINN_WORKER_THREADS;
  try {
    binding = createRequire(path.join(dir, 'package.json'))(native) as QuinnBinding;
  } catch (err) {
    throw new Error(
      `QUIC transport: cannot load the native package ${native} for ${process.platform}/${process.arch}; ` +
        `use the tls:// transport on this platform (${(err as Error).message})`,
    );
  }
  return binding;
}

export interface QuinnTuning {
  handshakeTimeoutMs?: number;
  idleTimeoutMs?: number;
  keepAliveMs?: number;
}

export function quinnConfigInit(seed: Uint8Array, tuning: QuinnTuning = {}): QuinnConfigInit {
  const init: QuinnConfigInit = {
    ...QUINN_DEFAULT_OPTIONS,
    privateKeyProto: ed25519PrivateKeyProtobuf(seed),
  };
  if (tuning.handshakeTimeoutMs !== undefined) init.handshakeTimeout = tuning.handshakeTimeoutMs;
  if (tuning.idleTimeoutMs !== undefined) init.maxIdleTimeout = tuning.idleTimeoutMs;
  if (tuning.keepAliveMs !== undefined) init.keepAliveInterval = tuning.keepAliveMs;
  checkTuning(tuning);
  return init;
}

/** Keep-alives only keep a connection open when they come more often than the idle timeout. */
export function checkTuning(tuning: QuinnTuning): void {
  const idle = tuning.idleTimeoutMs ?? QUINN_DEFAULT_OPTIONS.maxIdleTimeout;
  const keepAlive = tuning.keepAliveMs ?? QUINN_DEFAULT_OPTIONS.keepAliveInterval;
  if (keepAlive >= idle) {
    throw new Error(`QUIC transport: keepAliveMs (${keepAlive}) must be below idleTimeoutMs (${idle})`);
  }
}
