/**
 * The JSON API (docs/dashboard.md, JSON API), which the pages use and scripts may too:
 * overview, regions, homes, providers, mesh and the simulation's status, each a thin, validated
 * pass-through to a query procedure or to what the server already holds.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { overviewSchema, regionSummarySchema } from '../../shared/contract';
import { REGIONS } from '../../shared/env';
import type { LiveState } from '../model/live-state';
import type { MeshPoller } from './mesh-poller';
import { ApiError, firstIssue } from './errors';
import type { Queries } from './queries';
import {
  homeBillsSchema,
  homeDetailSchema,
  homeHistorySchema,
  homesByLocationSchema,
  homesPageSchema,
  homeTradesSchema,
  locationsSchema,
  providersSchema,
  searchResultSchema,
} from './results';

const whole = (name: string) =>
  z
    .string()
    .regex(/^\d{1,7}$/, `${name}: expected a whole number`)
    .transform(Number);

const homesQuery = z.strictObject({
  search: z.string().max(200, 'search: at most 200 characters').optional(),
  region: z
    .string()
    .refine(
      (v) => v === '' || (REGIONS as readonly string[]).includes(v),
      `region: expected one of ${REGIONS.join(', ')}`,
    )
    .optional(),
  page: whole('page').optional(),
  page_size: whole('page_size').optional(),
  sort_by: z.string().optional(),
  sort_direction: z.string().optional(),
});

const hoursQuery = z.strictObject({ hours: whole('hours').optional() });
const searchQuery = z.strictObject({
  q: z.string().max(200, 'q: at most 200 characters'),
  limit: whole('limit').optional(),
});

/** Parses a query string, a 400 naming the first problem (and unknown parameters) otherwise. */
function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const r = schema.safeParse(query);
  if (r.success) return r.data;
  const unknown = r.error.issues.find((i) => i.code === 'unrecognized_keys');
  if (unknown && 'keys' in unknown)
    throw new ApiError(
      400,
      'invalid_argument',
      `unknown query parameter ${(unknown.keys as string[]).join(', ')}`,
    );
  throw new ApiError(400, 'invalid_argument', firstIssue(r.error.issues));
}

export interface ApiDeps {
  queries: Queries;
  state: LiveState;
  mesh: MeshPoller;
  status: () => Record<string, unknown>;
}

export function registerApi(app: FastifyInstance, d: ApiDeps): void {
  const { queries, state } = d;

  app.get('/api/status', async () => d.status());
  app.get('/api/overview', async () => queries.ask('get_overview', undefined, overviewSchema));
  app.get('/api/regions', async () => queries.ask('get_region_summary', undefined, regionSummarySchema));

  app.get('/api/homes', async (req) => {
    const q = parseQuery(homesQuery, req.query);
    const args: Record<string, unknown> = { page: q.page ?? 1, page_size: q.page_size ?? 20 };
    if (q.search?.trim()) args.search = q.search.trim();
    if (q.region) args.region = q.region;
    if (q.sort_by) args.sort_by = q.sort_by;
    if (q.sort_direction) args.sort_direction = q.sort_direction;
    return queries.ask('get_homes', args as never, homesPageSchema);
  });

  app.get('/api/search', async (req) => {
    const q = parseQuery(searchQuery, req.query);
    if (!q.q.trim()) return { homes: [] };
    return queries.ask('search_homes', { query: q.q.trim(), limit: q.limit ?? 10 }, searchResultSchema);
  });

  app.get('/api/homes/:id', async (req) => {
    const { id } = req.params as { id: string };
    const { hours = 24 } = parseQuery(hoursQuery, req.query);
    const home = await queries.ask('get_home', { home_id: id }, homeDetailSchema);
    const [history, trades, bills] = await Promise.all([
      queries.ask('get_home_history', { home_id: id, hours }, homeHistorySchema),
      queries.ask('get_home_trades', { home_id: id, hours }, homeTradesSchema),
      queries.ask('get_home_bills', { home_id: id }, homeBillsSchema),
    ]);
    return { home, history: history.points, trades: trades.trades, bills: bills.bills };
  });

  app.get('/api/locations', async () => queries.ask('get_locations', undefined, locationsSchema));
  app.get('/api/locations/:location', async (req) => {
    const { location } = req.params as { location: string };
    return queries.ask('get_homes_by_location', { location }, homesByLocationSchema);
  });

  app.get('/api/providers', async () => {
    const answer = await queries.ask('get_providers', undefined, providersSchema);
    const live = new Map(state.providers.map((p) => [p.provider_id, p]));
    return {
      providers: answer.providers.map((p) => {
        const m = live.get(p.provider_id);
        return {
          ...p,
          rank: m?.rank ?? null,
          trend: m?.trend ?? null,
          competitiveness: m?.competitiveness ?? null,
        };
      }),
    };
  });

  app.get('/api/mesh', async () => d.mesh.view);
}
