/**
 * Where a gateway spends its CPU: reads the `.cpuprofile` files written by
 * `npm run bench:gateway -- --cpu-prof DIR` and prints the top functions by self time, and the
 * time per source file, as a share of the samples where the process was busy (idle excluded).
 *
 *   node -r tsx/cjs bench/gateway/profile-summary.ts DIR [--top 25]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Written by the bench around its measurements: monotonic µs, the clock V8 profiles use. */
export interface MeasureWindow {
  startUs: number;
  endUs: number;
}

export const WINDOW_FILE = 'measure-window.json';

/** V8 pseudo-frames that are not the process doing work. */
const IDLE = new Set(['(idle)', '(program)']);
const ROOT = join(__dirname, '..', '..');

function shortUrl(url: string): string {
  if (!url) return '(native)';
  const path = url.replace(/^file:\/\//, '');
  return path.startsWith(ROOT) ? relative(ROOT, path) : path;
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  functions: Array<{ name: string; where: string; ms: number }>;
  files: Array<{ file: string; ms: number }>;
}

/** Self time per function; only samples inside `window` when given (start-up excluded). */
export function summarizeProfile(profile: CpuProfile, window?: MeasureWindow): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    if (window && (t < window.startUs || t > window.endUs)) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  });
  const fns = new Map<string, { name: string; where: string; ms: number }>();
  const files = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const ms = us / 1000;
    if (IDLE.has(frame.functionName)) {
      idle += ms;
      continue;
    }
    busy += ms;
    const file = shortUrl(frame.url);
    // tsx emits each module on one line, so a line number would say nothing: the file it is.
    const where = file.startsWith('node:') && frame.url ? `${file}:${frame.lineNumber + 1}` : file;
    const name = frame.functionName || '(anonymous)';
    const key = `${name}@${where}`;
    const entry = fns.get(key) ?? { name, where, ms: 0 };
    entry.ms += ms;
    fns.set(key, entry);
    files.set(file, (files.get(file) ?? 0) + ms);
  }
  return {
    busyMs: busy,
    idleMs: idle,
    functions: [...fns.values()].sort((a, b) => b.ms - a.ms),
    files: [...files.entries()].map(([file, ms]) => ({ file, ms })).sort((a, b) => b.ms - a.ms),
  };
}

function report(name: string, s: ProfileSummary, top: number): string {
  const pct = (ms: number): string => `${((100 * ms) / s.busyMs).toFixed(1).padStart(5)} %`;
  const lines = [
    `== ${name}: busy ${(s.busyMs / 1000).toFixed(1)} s, idle ${(s.idleMs / 1000).toFixed(1)} s`,
    'top functions by self time (share of busy time):',
    ...s.functions.slice(0, top).map((f) => `  ${pct(f.ms)}  ${f.name}  ${f.where}`),
    'by file:',
    ...s.files.slice(0, Math.ceil(top / 2)).map((f) => `  ${pct(f.ms)}  ${f.file}`),
  ];
  return lines.join('\n');
}

function main(): void {
  const { values, positionals } = parseArgs({ options: { top: { type: 'string' } }, allowPositionals: true });
  const dir = positionals[0];
  if (!dir) throw new Error('usage: node -r tsx/cjs bench/gateway/profile-summary.ts DIR [--top 25]');
  const top = Number(values.top ?? 25);
  if (!Number.isInteger(top) || top < 1)
    throw new Error(`--top must be a positive integer, got '${values.top}'`);
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`no .cpuprofile files in ${dir}`);
  const windowPath = join(dir, WINDOW_FILE);
  const window = existsSync(windowPath)
    ? (JSON.parse(readFileSync(windowPath, 'utf8')) as MeasureWindow)
    : undefined;
  process.stdout.write(
    window
      ? `samples from the measurements only (${((window.endUs - window.startUs) / 1e6).toFixed(1)} s)\n\n`
      : `no ${WINDOW_FILE}: whole process lifetime, start-up included\n\n`,
  );
  for (const f of files.sort()) {
    const profile = JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile;
    process.stdout.write(`${report(f, summarizeProfile(profile, window), top)}\n\n`);
  }
}

if (require.main === module) main();
