/**
 * Server processes of the benchmark: spawn, wait until ready, read peak RSS, stop. Every child is
 * remembered so that an error, Ctrl-C or a plain exit never leaves a gateway or nats-server behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';

export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Everything the process wrote so far (stdout + stderr), for error messages. */
  output(): string;
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Output line that says the server listens. */
  ready: RegExp;
  timeoutMs: number;
}

const live = new Set<ServerProcess>();
const MAX_KEPT_OUTPUT = 64 * 1024;

/** Kill a whole process group (the gateway's node plus tsx's esbuild service). */
function killGroup(p: ServerProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-p.pid, signal);
  } catch {
    try {
      p.child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

export function killAllNow(): void {
  for (const p of live) killGroup(p, 'SIGKILL');
  live.clear();
}

let hooked = false;
/** Kill every child on exit, on SIGINT/SIGTERM and on an uncaught error. */
export function installExitHooks(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAllNow);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      process.stderr.write(`\n${sig}: stopping ${live.size} server process(es)\n`);
      killAllNow();
      process.exit(130);
    });
  }
}

export function spawnServer(opts: SpawnOptions): Promise<ServerProcess> {
  // detached: own process group, so killGroup also reaches grandchildren.
  const child = spawn(opts.command, opts.args, {
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const server: ServerProcess = { name: opts.name, pid: child.pid ?? -1, child, output: () => out };
  if (child.pid) live.add(server);
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) {
        killGroup(server, 'SIGKILL');
        live.delete(server);
        reject(err);
      } else resolve(server);
    };
    const onData = (chunk: Buffer): void => {
      if (out.length < MAX_KEPT_OUTPUT) out += chunk.toString('utf8');
      if (!done && opts.ready.test(out)) finish();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('error', (err) =>
      finish(new Error(`${opts.name}: could not start '${opts.command}': ${err.message}`)),
    );
    child.on('exit', (code, signal) => {
      live.delete(server);
      finish(
        new Error(
          `${opts.name} exited (code ${code}, signal ${signal}) before it was ready; output:\n${out.slice(-2000)}`,
        ),
      );
    });
    const timer = setTimeout(
      () =>
        finish(
          new Error(
            `${opts.name} not ready within ${opts.timeoutMs} ms (waiting for ${opts.ready}); output:\n${out.slice(-2000)}`,
          ),
        ),
      opts.timeoutMs,
    );
  });
}

/** Stop gracefully (SIGTERM lets `--cpu-prof` write its profile), then force after `graceMs`. */
export async function stopServer(p: ServerProcess, graceMs = 5000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) {
    live.delete(p);
    return;
  }
  const exited = new Promise<void>((resolve) => p.child.once('exit', () => resolve()));
  p.child.kill('SIGTERM');
  const forced = setTimeout(() => killGroup(p, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(forced);
  killGroup(p, 'SIGKILL'); // leftover grandchildren (esbuild service)
  live.delete(p);
}

/** Resident set size of a live process in MB: peak so far (VmHWM) or now (VmRSS). */
export function rssMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  if (!m) throw new Error(`no ${field} line in /proc/${pid}/status`);
  return Number(m[1]) / 1024;
}

/**
 * Context switches (voluntary and not) of all threads of a live process so far. Per request, this
 * shows how many times a server's threads went to sleep and were woken, which on a virtual
 * machine's vCPUs is where a round trip's time goes.
 */
export function contextSwitches(pid: number): number {
  let total = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    let status: string;
    try {
      status = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    for (const m of status.matchAll(/^(?:non)?voluntary_ctxt_switches:\s+(\d+)/gm)) total += Number(m[1]);
  }
  return total;
}

function tcpFree(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => {
      const got = (s.address() as { port: number }).port;
      s.close(() => resolve(got));
    });
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A loopback port free for TCP and (when `udp`) for UDP too: the gateway uses one number for both. */
export async function freePort(udp = false): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await tcpFree(0);
    if (!udp || (await udpFree(port))) return port;
  }
  throw new Error('no loopback port free for both TCP and UDP after 20 attempts');
}

/** A bench gateway's environment: loopback ports, one mesh secret, development identities. */
export function benchGatewayEnv(
  id: string,
  realm: string,
  port: number,
  adminPort: number,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GATEWAY_ID: id,
    MACULA_REALM: realm,
    MACULA_GATEWAY_PORT: String(port),
    MACULA_TRANSPORTS: 'quic,tls',
    ADMIN_PORT: String(adminPort),
    MESH_SECRET: 'bench-mesh-secret-0123456789',
    // Gateways make a development identity at start; peers accept it on loopback.
    MACULA_TLS_INSECURE: '1',
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/** CPU time (user + system) a live process has used so far, in seconds (/proc/PID/stat). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), from its closing parenthesis: utime is
  // the 14th field of the line, stime the 15th, in clock ticks (100 a second on Linux).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
