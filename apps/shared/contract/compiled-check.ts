/**
 * A yes/no check compiled from a contract schema, for subscribers that take tens of thousands of
 * events a second (the projections: docs/read-side.md, "Write path"). It says whether the schema
 * would accept a payload, without building zod's parsed copy (the payload itself is used, unknown
 * keys and all) and without zod's bookkeeping; a payload it refuses goes through the schema
 * itself, so the reported problem is zod's own, and the schema has the last word either way.
 *
 * It compiles the building blocks the event schemas use (objects, strings with length, pattern and
 * refinement checks, numbers with bounds, booleans, enums, literals, unions, nullable, optional,
 * arrays); for anything else `compileCheck` returns undefined and the caller keeps the schema.
 */
import type { z } from 'zod';

export type Check = (value: unknown) => boolean;

/** The parts of zod 4's schema definitions read here. */
interface Def {
  type: string;
  checks?: Array<{ _zod: { def: CheckDef } }>;
  shape?: Record<string, { _zod: { def: Def } }>;
  catchall?: unknown;
  innerType?: { _zod: { def: Def } };
  element?: { _zod: { def: Def } };
  options?: Array<{ _zod: { def: Def } }>;
  entries?: Record<string, string | number>;
  values?: unknown[];
}

interface CheckDef {
  check: string;
  value?: number;
  inclusive?: boolean;
  minimum?: number;
  maximum?: number;
  format?: string;
  pattern?: RegExp;
  fn?: (v: never) => unknown;
}

/** One value check of a schema's `checks`, or undefined when not supported. */
function compileValueCheck(c: CheckDef): Check | undefined {
  switch (c.check) {
    case 'min_length':
      return (v) => (v as string).length >= c.minimum!;
    case 'max_length':
      return (v) => (v as string).length <= c.maximum!;
    case 'greater_than':
      return c.inclusive ? (v) => (v as number) >= c.value! : (v) => (v as number) > c.value!;
    case 'less_than':
      return c.inclusive ? (v) => (v as number) <= c.value! : (v) => (v as number) < c.value!;
    case 'string_format':
      if (c.format !== 'regex' || !c.pattern) return undefined;
      return (v) => {
        c.pattern!.lastIndex = 0;
        return c.pattern!.test(v as string);
      };
    case 'custom': {
      const fn = c.fn;
      // A refinement returning a promise would need parseAsync: not ours to compile.
      return fn ? (v) => fn(v as never) === true : undefined;
    }
    default:
      return undefined;
  }
}

/** The schema's type test followed by its checks, all of which must pass. */
function withChecks(def: Def, typeTest: Check): Check | undefined {
  const checks: Check[] = [];
  for (const c of def.checks ?? []) {
    const compiled = compileValueCheck(c._zod.def);
    if (!compiled) return undefined;
    checks.push(compiled);
  }
  if (checks.length === 0) return typeTest;
  return (v) => {
    if (!typeTest(v)) return false;
    for (const c of checks) if (!c(v)) return false;
    return true;
  };
}

function compileDef(def: Def): Check | undefined {
  switch (def.type) {
    case 'string':
      return withChecks(def, (v) => typeof v === 'string');
    case 'number':
      // zod 4's number refuses NaN and ±Infinity.
      return withChecks(def, (v) => typeof v === 'number' && Number.isFinite(v));
    case 'boolean':
      return def.checks?.length ? undefined : (v) => typeof v === 'boolean';
    case 'enum': {
      const values = new Set(Object.values(def.entries ?? {}));
      return def.checks?.length ? undefined : (v) => values.has(v as string);
    }
    case 'literal': {
      const values = new Set(def.values ?? []);
      return (v) => values.has(v);
    }
    case 'nullable': {
      const inner = def.innerType && compileDef(def.innerType._zod.def);
      return inner && ((v) => v === null || inner(v));
    }
    case 'optional': {
      const inner = def.innerType && compileDef(def.innerType._zod.def);
      return inner && ((v) => v === undefined || inner(v));
    }
    case 'union': {
      const options = (def.options ?? []).map((o) => compileDef(o._zod.def));
      if (options.length === 0 || options.some((o) => o === undefined)) return undefined;
      return (v) => options.some((o) => o!(v));
    }
    case 'array': {
      const element = def.element && !def.checks?.length ? compileDef(def.element._zod.def) : undefined;
      return (
        element &&
        ((v) => {
          if (!Array.isArray(v)) return false;
          for (const item of v) if (!element(item)) return false;
          return true;
        })
      );
    }
    case 'object':
      return compileObject(def);
    default:
      return undefined;
  }
}

function compileObject(def: Def): Check | undefined {
  // A catchall (strictObject, looseObject with a schema) would judge the unknown keys too.
  if (def.catchall !== undefined || def.checks?.length || !def.shape) return undefined;
  const fields: Array<[string, Check]> = [];
  for (const [key, schema] of Object.entries(def.shape)) {
    const check = compileDef(schema._zod.def);
    if (!check) return undefined;
    fields.push([key, check]);
  }
  return (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
    const o = v as Record<string, unknown>;
    for (const [key, check] of fields) if (!check(o[key])) return false;
    return true;
  };
}

/** The schema's yes/no check, or undefined when it uses a part not compiled here. */
export function compileCheck(schema: z.ZodType): Check | undefined {
  return compileDef((schema as unknown as { _zod: { def: Def } })._zod.def);
}
