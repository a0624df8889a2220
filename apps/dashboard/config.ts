/**
 * Environment of the `dashboard` app (docs/configuration.md, dashboard: a stack sets PORT, PHX_HOST and
 * SECRET_KEY_BASE; the rest are this app's own). A bad value stops the app naming the variable, as every app
 * does.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  connectionEnv,
  connectionFrom,
  envInt,
  envList,
  parseEnv,
  type ConnectionConfig,
} from '../shared/env';

export interface DashboardConfig {
  connection: ConnectionConfig;
  port: number;
  host: string;
  /** The public host name (`PHX_HOST`): shown in the start line and accepted as a POST's Origin. */
  publicHost: string;
  /** Signs the CSRF tokens of the control POSTs. */
  secretKeyBase: string;
  /** True when SECRET_KEY_BASE was not set and a per-process key was drawn. */
  secretGenerated: boolean;
  /** Admin APIs of the gateways for the Mesh page (docs/protocol.md §5). */
  adminUrls: string[];
  adminToken?: string;
  meshPollMs: number;
  queryTimeoutMs: number;
}

const url = /^https?:\/\/[^\s/]+(:\d+)?\/?$/;

const schema = z.object({
  ...connectionEnv,
  PORT: envInt(0, 65535, 4000),
  HOST: z
    .string()
    .regex(/^[A-Za-z0-9.:-]+$/, 'expected an interface address such as 0.0.0.0 or 127.0.0.1')
    .default('0.0.0.0'),
  PHX_HOST: z
    .string()
    .regex(/^[A-Za-z0-9.-]+$/, 'expected a host name such as localhost or dashboard.example.org')
    .default('localhost'),
  SECRET_KEY_BASE: z
    .string()
    .optional()
    .refine(
      (v) => v === undefined || v.trim() === '' || v.trim().length >= 32,
      'expected at least 32 characters',
    ),
  GATEWAY_ADMIN_URLS: envList([]).refine(
    (list) => list.every((u) => url.test(u)),
    'expected a comma-separated list of http://host:port admin URLs',
  ),
  GATEWAY_ADMIN_TOKEN: z.string().optional(),
  MESH_POLL_MS: envInt(100, 60_000, 1000),
  QUERY_TIMEOUT_MS: envInt(100, 60_000, 3000),
});

export function dashboardConfigFromEnv(env: Record<string, string | undefined>): DashboardConfig {
  const e = parseEnv(schema, env);
  const secret = e.SECRET_KEY_BASE?.trim();
  return {
    connection: connectionFrom(e),
    port: e.PORT,
    host: e.HOST,
    publicHost: e.PHX_HOST,
    secretKeyBase: secret || randomBytes(48).toString('base64url'),
    secretGenerated: !secret,
    adminUrls: e.GATEWAY_ADMIN_URLS.map((u) => u.replace(/\/$/, '')),
    adminToken: e.GATEWAY_ADMIN_TOKEN?.trim() || undefined,
    meshPollMs: e.MESH_POLL_MS,
    queryTimeoutMs: e.QUERY_TIMEOUT_MS,
  };
}
