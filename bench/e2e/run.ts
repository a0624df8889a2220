/** A `cortexiq up` of the bench in its own fresh folder, stopped with SIGINT like Ctrl-C. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { passwordFor } from '../../apps/shared/db/embedded';
import { freshDataDir, randomBasePort, startUp, type UpRun } from '../../test/launcher/cli-run';

export interface BenchRun {
  up: UpRun;
  base: number;
  dataDir: string;
  dashboard: string;
  hubUrl: string;
  /** The embedded PostgreSQL (gateways and admin APIs take the first 8 ports after `base`). */
  databaseUrl: string;
  stop(): Promise<void>;
}

/** Without `given`, the run gets a fresh folder that `stop` removes. */
export function startRun(args: string[], given?: string): BenchRun {
  const dataDir = given ?? freshDataDir();
  const base = randomBasePort();
  const dashboardPort = base + 100;
  const up = startUp([
    '--base-port',
    String(base),
    '--dashboard-port',
    String(dashboardPort),
    '--data-dir',
    dataDir,
    ...args,
  ]);
  return {
    up,
    base,
    dataDir,
    dashboard: `http://127.0.0.1:${dashboardPort}`,
    hubUrl: `https://127.0.0.1:${base}`,
    databaseUrl: `postgres://postgres:${encodeURIComponent(passwordFor(path.join(dataDir, 'pg')))}@127.0.0.1:${base + 8}/cortexiq`,
    async stop() {
      if (up.proc.exitCode === null) up.proc.kill('SIGINT');
      const exit = await up.exit;
      if (exit.code !== 0)
        process.stderr.write(`bench:e2e: cortexiq up ended with ${JSON.stringify(exit)}\n`);
      if (!given) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}
