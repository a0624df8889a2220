/**
 * Child output → what the terminal shows. The gateway and the apps log pino JSON, one object per line;
 * a run of eleven processes at info level is far too much to read, so warnings and errors are shown
 * at once as one compact line, and info lines are counted per process and summarised (`InfoSummary`).
 */

export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** pino's numeric levels. */
const LEVELS: Record<number, Level> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

export interface ChildLine {
  level: Level;
  /** pino `msg`, or the raw text of a line that is not JSON. */
  message: string;
  /** Compact text: the message, then the other fields as key=value. */
  text: string;
  json: boolean;
}

/** Fields pino adds to every line (or the apps bind once) that say nothing new in a prefixed line. */
const NOISE = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'name', 'app', 'gateway', 'v']);

function fieldText(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) || value === '' ? JSON.stringify(value) : value;
  if (value && typeof value === 'object' && 'message' in value && typeof value.message === 'string') {
    return JSON.stringify(value.message); // pino's serialised err: its message, not the whole stack
  }
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/**
 * Parses one output line. A JSON line with a numeric `level` is pino's; anything else is plain text,
 * treated as info on stdout and as a warning on stderr (stack traces and CLI errors go there).
 */
export function parseChildLine(line: string, stream: 'stdout' | 'stderr'): ChildLine {
  const trimmed = line.trim();
  if (trimmed.startsWith('{')) {
    try {
      const obj = JSON.parse(trimmed) as Record<string, unknown>;
      if (typeof obj.level === 'number') {
        const level = LEVELS[obj.level] ?? (obj.level >= 50 ? 'error' : 'info');
        const message = typeof obj.msg === 'string' ? obj.msg : '';
        const fields = Object.entries(obj)
          .filter(([k]) => !NOISE.has(k))
          .map(([k, v]) => `${k}=${fieldText(v)}`);
        return { level, message, text: [message, ...fields].filter(Boolean).join(' '), json: true };
      }
    } catch {
      // not JSON after all: shown as text below
    }
  }
  return { level: stream === 'stderr' ? 'warn' : 'info', message: trimmed, text: trimmed, json: false };
}

export function isLoud(level: Level): boolean {
  return level === 'warn' || level === 'error' || level === 'fatal';
}

/** One terminal line for a child's line: `12:00:01 be-antwerp/homes WARN accept_offer failed home=…`. */
export function formatChildLine(name: string, line: ChildLine, now = new Date()): string {
  const clock = now.toISOString().slice(11, 19);
  const level = line.level === 'info' ? '' : ` ${line.level.toUpperCase()}`;
  return `${clock} ${name}${level} ${line.text}`;
}

/**
 * Counts info lines per process and per message, so a periodic line can say what happened without
 * printing it: `info (30 s): be-antwerp/homes 2 (homes started, connected) · …`.
 */
export class InfoSummary {
  private counts = new Map<string, Map<string, number>>();

  add(process: string, message: string): void {
    let byMessage = this.counts.get(process);
    if (!byMessage) this.counts.set(process, (byMessage = new Map()));
    const key = message.length > 48 ? `${message.slice(0, 45)}...` : message || '(no message)';
    byMessage.set(key, (byMessage.get(key) ?? 0) + 1);
  }

  get empty(): boolean {
    return this.counts.size === 0;
  }

  /** The summary since the last call, then starts counting again; undefined when nothing was logged. */
  take(label: string, maxMessages = 3): string | undefined {
    if (this.counts.size === 0) return undefined;
    const parts = [...this.counts].map(([process, byMessage]) => {
      const total = [...byMessage.values()].reduce((a, b) => a + b, 0);
      const top = [...byMessage]
        .sort((a, b) => b[1] - a[1])
        .slice(0, maxMessages)
        .map(([m, n]) => (n > 1 ? `${m} ×${n}` : m));
      const more = byMessage.size > maxMessages ? ', …' : '';
      return `${process} ${total} (${top.join(', ')}${more})`;
    });
    this.counts.clear();
    return `info ${label}: ${parts.join(' · ')}`;
  }
}
