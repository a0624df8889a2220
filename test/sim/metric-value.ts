/** Reads one series of a prom-client Registry, for tests of the apps' /metrics. */
import type { Registry } from 'prom-client';

/** The value of the series `name` whose labels include `labels`; undefined when there is none. */
export async function metric(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const all = await registry.getMetricsAsJSON();
  const m = all.find((x) => x.name === name);
  const v = m?.values.find((x) => Object.entries(labels).every(([k, l]) => x.labels[k] === l));
  return v?.value;
}
