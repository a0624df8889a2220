/**
 * One value from a process's Prometheus text at `<healthUrl>/metrics` (every app serves one): the
 * first sample of `name`, whatever its labels. Undefined when the process does not answer within
 * 2 s or has no such metric. `cortexiq status` and bench:e2e read the read side's rate and lag so.
 */
export async function readMetric(healthUrl: string | undefined, name: string): Promise<number | undefined> {
  if (!healthUrl) return undefined;
  try {
    const text = await (await fetch(`${healthUrl}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : undefined;
  } catch {
    return undefined;
  }
}
