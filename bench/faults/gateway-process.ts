/**
 * One `cortexiq gateway` process for the fault benchmarks, started the way the product starts it
 * (with its Node flags), on QUIC and TLS at one port number, with its admin API, so its RSS is its
 * own and it can be SIGKILLed. `peers` are client URLs of gateways to link to.
 */
import { join } from 'node:path';
import { GATEWAY_NODE_FLAGS } from '../../gateway/runtime-flags';
import { benchGatewayEnv, freePort, spawnServer, type ServerProcess } from '../gateway/processes';
import { getJson, pollUntil } from '../gateway/wait';

export const REALM = 'be.cortexiq.energy';
const ROOT = join(__dirname, '..', '..');

export interface GatewayProcess {
  id: string;
  port: number;
  adminPort: number;
  proc: ServerProcess;
  url(transport: 'quic' | 'tls'): string;
}

export async function spawnGateway(
  id: string,
  env: Record<string, string> = {},
  ports?: { port: number; adminPort: number },
): Promise<GatewayProcess> {
  const port = ports?.port ?? (await freePort(true));
  const adminPort = ports?.adminPort ?? (await freePort());
  const proc = await spawnServer({
    name: `gateway ${id}`,
    command: process.execPath,
    args: [
      ...GATEWAY_NODE_FLAGS,
      // BENCH_CPU_PROF=DIR: a CPU profile of each gateway, to see where a scenario's time goes.
      ...(process.env.BENCH_CPU_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`, `--cpu-prof-name=${id}.cpuprofile`]
        : []),
      join(ROOT, 'bin', 'cortexiq.js'),
      'gateway',
    ],
    cwd: ROOT,
    env: benchGatewayEnv(id, REALM, port, adminPort, env),
    ready: new RegExp(`gateway ${id} ready:`),
    timeoutMs: 30_000,
  });
  return {
    id,
    port,
    adminPort,
    proc,
    url: (t) => `${t === 'quic' ? 'https' : 'tls'}://127.0.0.1:${port}`,
  };
}

/**
 * One counter or gauge from the gateway's /metrics, summed over its label sets (those whose labels
 * contain `label`, such as `kind="major"`, when given).
 */
export async function metric(gw: GatewayProcess, name: string, label?: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${gw.adminPort}/metrics`)).text();
  let n = 0;
  for (const line of text.split('\n')) {
    const m = /^(\w+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m && m[1] === name && (label === undefined || (m[2] ?? '').includes(label))) n += Number(m[3]);
  }
  return n;
}

/**
 * SIGKILLs `gw`, waits until it is gone, and after `downMs` starts it again on the same ports with
 * `env` (a data folder in it is kept). `killedAt` is when the signal went.
 */
export async function killAndRestart(
  gw: GatewayProcess,
  env: Record<string, string>,
  downMs: number,
): Promise<{ gw: GatewayProcess; killedAt: number }> {
  const exited = new Promise((r) => gw.proc.child.once('exit', r));
  const killedAt = Date.now();
  gw.proc.child.kill('SIGKILL');
  await exited;
  await new Promise((r) => setTimeout(r, downMs));
  return { gw: await spawnGateway(gw.id, env, { port: gw.port, adminPort: gw.adminPort }), killedAt };
}

/** Waits (up to 60 s) until `gw`'s admin API lists `n` mesh links. */
export async function hasLinks(gw: GatewayProcess, n: number): Promise<void> {
  await pollUntil(
    `${gw.id} has ${n} links`,
    async () =>
      ((await getJson(`http://127.0.0.1:${gw.adminPort}/api/topology`)) as { links: unknown[] }).links
        .length === n,
    60_000,
  );
}
