/**
 * Environment parsing for every app (docs/configuration.md). One zod schema per app; a bad value stops the
 * app with a message that names the variable, what was expected and what was given — never a silent default
 * for a value that was set (docs/configuration.md).
 */
import { z } from 'zod';
import { quicPeerIdsProblem } from '../../gateway/client';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Parses `env` with `schema`; every problem is listed as `NAME: expected …, got "…"`. */
export function parseEnv<S extends z.ZodType>(schema: S, env: Env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.map(String).join('.') || '(environment)';
    const raw = typeof issue.path[0] === 'string' ? env[issue.path[0]] : undefined;
    return `${name}: ${issue.message}${raw === undefined ? '' : `, got ${JSON.stringify(raw)}`}`;
  });
  throw new ConfigError(problems);
}

/**
 * An optional variable: unset or empty → `fallback`; otherwise `parse` must accept the trimmed text
 * (returning undefined when it does not), else the issue says what was `expected`.
 */
function optionalVar<T>(fallback: T, expected: string, parse: (text: string) => T | undefined) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return fallback;
      const parsed = parse(value.trim());
      if (parsed === undefined) {
        ctx.addIssue({ code: 'custom', message: expected });
        return z.NEVER;
      }
      return parsed;
    });
}

/** An integer in [min, max]. */
export function envInt(min: number, max: number, fallback: number) {
  return optionalVar(fallback, `expected an integer from ${min} to ${max}`, (text) => {
    const n = Number(text);
    return /^-?\d+$/.test(text) && Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
  });
}

/** A finite number in [min, max]. */
export function envNumber(min: number, max: number, fallback: number) {
  return optionalVar(fallback, `expected a number from ${min} to ${max}`, (text) => {
    const n = Number(text);
    return Number.isFinite(n) && n >= min && n <= max ? n : undefined;
  });
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A full ISO 8601 timestamp with its zone, returned as epoch ms. */
export function envIsoDate(fallback: string) {
  return optionalVar(
    Date.parse(fallback),
    'expected an ISO 8601 timestamp such as 2025-01-01T00:00:00Z',
    (text) => {
      const ms = Date.parse(text);
      return ISO_8601.test(text) && !Number.isNaN(ms) ? ms : undefined;
    },
  );
}

export function envBool(fallback: boolean) {
  return optionalVar(fallback, 'expected 1/0, true/false or yes/no', (text) => {
    const v = text.toLowerCase();
    if (['1', 'true', 'yes'].includes(v)) return true;
    if (['0', 'false', 'no'].includes(v)) return false;
    return undefined;
  });
}

/** Comma-separated list; unset or empty → `fallback`. */
export function envList(fallback: string[]) {
  return z
    .string()
    .optional()
    .transform((value) =>
      value === undefined || value.trim() === ''
        ? fallback
        : value
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
    );
}

/** The regions of docs/domain.md, "Topology and placement". */
export const REGIONS = ['antwerp', 'brabant', 'east-flanders'] as const;
export type Region = (typeof REGIONS)[number];

export function envRegion() {
  return z.string({ message: `required: one of ${REGIONS.join(', ')}` }).transform((value, ctx) => {
    const v = value.trim();
    if (!(REGIONS as readonly string[]).includes(v)) {
      ctx.addIssue({ code: 'custom', message: `expected one of ${REGIONS.join(', ')}` });
      return z.NEVER;
    }
    return v as Region;
  });
}

/** The gateway connection every app needs (docs/configuration.md, "Every app"). */
export const connectionEnv = {
  MACULA_URL: z
    .string({ message: 'required: the local gateway URL, e.g. https://127.0.0.1:9443' })
    .regex(/^(https|tls):\/\/[^\s/]+:\d+\/?$/, 'expected https://host:port (QUIC) or tls://host:port'),
  MACULA_REALM: z
    .string()
    .optional()
    .transform((v) => (v && v.trim()) || 'be.cortexiq.energy'),
  MACULA_TOKEN: z
    .string()
    .optional()
    .transform((v) => (v && v.trim()) || undefined),
  MACULA_TLS_INSECURE: envBool(false),
  // Read by the client library itself; checked here so a bad value stops the app at start.
  MACULA_QUIC_PEER_ID: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      const problem = quicPeerIdsProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
};

export interface ConnectionConfig {
  url: string;
  realm: string;
  token?: string;
  insecure: boolean;
}

export function connectionFrom(env: {
  MACULA_URL: string;
  MACULA_REALM: string;
  MACULA_TOKEN?: string;
  MACULA_TLS_INSECURE: boolean;
}): ConnectionConfig {
  return {
    url: env.MACULA_URL,
    realm: env.MACULA_REALM,
    token: env.MACULA_TOKEN,
    insecure: env.MACULA_TLS_INSECURE,
  };
}
