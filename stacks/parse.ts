/**
 * `parseStackConfig`: the one entry from raw `cortex-iq:` config to the frozen typed model.
 * Schema problems and cross-field problems are reported together: when the schema rejects some
 * keys, the cross-field checks still run on a best-effort reading in which only the rejected
 * values are left out, so a stack with an unknown role *and* a duplicate name lists both.
 */
import { z } from 'zod';
import { crossChecks } from './checks';
import { fromZodIssue, StackConfigError, type StackIssue } from './issues';
import { stackSchema, type StackConfig } from './schema';

type AnySchema = z.ZodType;

/** Every valid part of `value` under `schema`; invalid leaves become undefined (defaults still apply). */
function bestEffort(schema: AnySchema, value: unknown): unknown {
  const whole = schema.safeParse(value);
  if (whole.success) return whole.data;
  let inner: AnySchema = schema;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional) inner = inner.unwrap() as AnySchema;
  if (inner instanceof z.ZodObject && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, s] of Object.entries(inner.shape as Record<string, AnySchema>)) {
      const v = bestEffort(s, (value as Record<string, unknown>)[k]);
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
  if (inner instanceof z.ZodArray && Array.isArray(value)) {
    return value.map((v) => bestEffort(inner.element as AnySchema, v) ?? {});
  }
  const fallback = schema.safeParse(undefined);
  return fallback.success ? fallback.data : undefined;
}

/** The parts cross-field checks need; without them they would only repeat the schema's complaint. */
function checkable(c: Partial<StackConfig>): c is StackConfig {
  return (
    Array.isArray(c.clusters) &&
    c.mesh !== undefined &&
    c.ports !== undefined &&
    c.registry !== undefined &&
    c.observability !== undefined
  );
}

/** Validates raw namespace config (keys without the `cortex-iq:` prefix). Throws StackConfigError listing every problem. */
export function parseStackConfig(raw: unknown, source = 'stack config'): Readonly<StackConfig> {
  const parsed = stackSchema.safeParse(raw, { reportInput: true });
  const issues: StackIssue[] = [];
  let config: Partial<StackConfig>;
  if (parsed.success) {
    config = parsed.data;
  } else {
    issues.push(...parsed.error.issues.flatMap(fromZodIssue));
    config = (bestEffort(stackSchema, raw) ?? {}) as Partial<StackConfig>;
  }
  if (checkable(config)) {
    const seen = new Set(issues.map((i) => i.path + i.message));
    for (const i of crossChecks(config)) if (!seen.has(i.path + i.message)) issues.push(i);
  }
  if (issues.length > 0 || !parsed.success) throw new StackConfigError(issues, source);
  return deepFreeze(parsed.data);
}

function deepFreeze<T>(v: T): Readonly<T> {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v)) deepFreeze(child);
  }
  return v;
}
