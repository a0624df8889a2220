/**
 * Topic and pattern rules (docs/protocol.md §2): segments separated by `.`, none empty; in patterns `*`
 * matches exactly one segment and `>` (last segment only) matches one or more.
 */
export const MAX_TOPIC_LENGTH = 256;
const SEGMENT = /^[A-Za-z0-9_\-:@]+$/;

/** Topics repeat (every home publishes the same few), so valid ones are remembered. */
const VALID_CACHE_MAX = 10_000;
let validTopics = new Set<string>();

/** Returns a reason when `topic` is not a valid concrete topic (or procedure name), else undefined. */
export function topicProblem(topic: unknown): string | undefined {
  if (typeof topic === 'string' && validTopics.has(topic)) return undefined;
  const problem = nameProblem(topic, false);
  if (problem === undefined) {
    if (validTopics.size >= VALID_CACHE_MAX) validTopics = new Set();
    validTopics.add(topic as string);
  }
  return problem;
}

/** Returns a reason when `pattern` is not a valid subscription pattern, else undefined. */
export function patternProblem(pattern: unknown): string | undefined {
  return nameProblem(pattern, true);
}

function nameProblem(name: unknown, wildcards: boolean): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'must be a non-empty string';
  if (name.length > MAX_TOPIC_LENGTH) return `must be at most ${MAX_TOPIC_LENGTH} characters`;
  const segments = name.split('.');
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    if (s.length === 0) return 'must not have empty segments';
    if (wildcards && s === '*') continue;
    if (wildcards && s === '>') {
      if (i !== segments.length - 1) return "'>' is only allowed as the last segment";
      continue;
    }
    if (!SEGMENT.test(s)) return `segment '${s}' has characters outside [A-Za-z0-9_-:@]`;
  }
  return undefined;
}

/** A pattern without a literal segment (`>`, `*`, `*.>`) reaches every app's topics in the realm. */
export function isRealmWide(pattern: string): boolean {
  return pattern.split('.').every((s) => s === '*' || s === '>');
}

export function isWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('>');
}

/** Does `pattern` match concrete `topic`? Both assumed valid. */
export function matches(pattern: string, topic: string): boolean {
  if (!isWildcard(pattern)) return pattern === topic;
  const p = pattern.split('.');
  const t = topic.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return t.length > i;
    if (i >= t.length) return false;
    if (p[i] !== '*' && p[i] !== t[i]) return false;
  }
  return p.length === t.length;
}
