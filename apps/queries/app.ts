/**
 * The queries app (docs/read-side.md, "Queries"): every `be.cortexiq.energy.queries.*` procedure over the read
 * models. Arguments are validated with the contract's schemas (a bad one is `invalid_argument`
 * naming it); an unknown id is `not_found`; a database error never reaches the caller as SQL:
 * it is `unavailable` while PostgreSQL is away, `internal` otherwise, and logged here.
 */
import type { Pool } from 'pg';
import type { z } from 'zod';
import { GatewayError, type GatewayClient, type Registration } from '../../gateway/client';
import { PROCEDURES, queryArgsSchemas } from '../shared/contract';
import { isUnavailable } from '../shared/db/errors';
import { readOverview, readRegionSummary } from '../shared/db/overview';
import type { Logger } from '../shared/logger';
import { registerWhenFree } from '../shared/register';
import { EncodedAnswers } from './model/encoded-answers';
import { ResultCache } from './model/result-cache';
import * as reads from './reads';

type Schemas = typeof queryArgsSchemas;
type Name = keyof Schemas;
type Handler<N extends Name> = (pool: Pool, args: z.output<Schemas[N]>) => Promise<unknown>;

const HANDLERS: { [N in Name]: Handler<N> } = {
  get_overview: (pool) => readOverview(pool),
  get_home: (pool, a) => reads.getHome(pool, a.home_id),
  get_homes: (pool, a) => reads.getHomes(pool, a),
  get_providers: (pool) => reads.getProviders(pool),
  search_homes: (pool, a) => reads.searchHomes(pool, a.query, a.limit),
  get_locations: (pool) => reads.getLocations(pool),
  get_homes_by_location: (pool, a) => reads.getHomesByLocation(pool, a.location),
  get_home_history: (pool, a) => reads.getHomeHistory(pool, a.home_id, a.hours),
  get_home_trades: (pool, a) => reads.getHomeTrades(pool, a.home_id, a.hours),
  get_home_bills: (pool, a) => reads.getHomeBills(pool, a.home_id),
  get_market_prices: (pool, a) => reads.getMarketPrices(pool, a.hours),
  home_exists: (pool, a) => reads.exists(pool, 'home', a.home_id),
  provider_exists: (pool, a) => reads.exists(pool, 'provider', a.provider_id),
  get_region_summary: (pool) => readRegionSummary(pool),
};

const PROCEDURE_OF: Record<Name, string> = {
  get_overview: PROCEDURES.getOverview,
  get_home: PROCEDURES.getHome,
  get_homes: PROCEDURES.getHomes,
  get_providers: PROCEDURES.getProviders,
  search_homes: PROCEDURES.searchHomes,
  get_locations: PROCEDURES.getLocations,
  get_homes_by_location: PROCEDURES.getHomesByLocation,
  get_home_history: PROCEDURES.getHomeHistory,
  get_home_trades: PROCEDURES.getHomeTrades,
  get_home_bills: PROCEDURES.getHomeBills,
  get_market_prices: PROCEDURES.getMarketPrices,
  home_exists: PROCEDURES.homeExists,
  provider_exists: PROCEDURES.providerExists,
  get_region_summary: PROCEDURES.getRegionSummary,
};

/** `invalid_argument` naming the first bad argument. */
export function parseArgs<N extends Name>(name: N, raw: unknown): z.output<Schemas[N]> {
  const parsed = queryArgsSchemas[name].safeParse(raw ?? undefined);
  if (parsed.success) return parsed.data as z.output<Schemas[N]>;
  const issue = parsed.error.issues[0];
  const where = issue.path.length > 0 ? issue.path.join('.') : 'arguments';
  const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
  throw new GatewayError('invalid_argument', `${name}: ${where}: ${issue.message}${keys}`);
}

export class QueriesApp {
  private registrations: Registration[] = [];
  /** Calls answered, and calls failed by the database (not by their arguments). */
  answered = 0;
  failed = 0;

  readonly cache: ResultCache;
  private readonly encoded = new EncodedAnswers();

  constructor(
    private readonly client: GatewayClient,
    private readonly pool: Pool,
    private readonly log: Logger,
    /** How long an answer is shared by identical calls (0 = never). */
    cacheMs = 0,
  ) {
    this.cache = new ResultCache(cacheMs);
  }

  /** One call, in-process: what a caller over the mesh gets (tests and the bench use it too). */
  async call(name: Name, raw: unknown): Promise<unknown> {
    const args = parseArgs(name, raw);
    try {
      const result = await this.cache.get(`${name}\u0000${JSON.stringify(args ?? null)}`, () =>
        (HANDLERS[name] as Handler<Name>)(this.pool, args),
      );
      this.answered++;
      return result;
    } catch (err) {
      if (err instanceof GatewayError) throw err;
      this.failed++;
      if (isUnavailable(err))
        throw new GatewayError('unavailable', `${name}: the read models are unavailable, try again`);
      this.log.error({ err, procedure: name }, 'query failed');
      throw new GatewayError('internal', `${name}: the query failed`);
    }
  }

  async start(): Promise<void> {
    for (const name of Object.keys(HANDLERS) as Name[])
      this.registrations.push(
        await registerWhenFree(
          this.client,
          PROCEDURE_OF[name],
          // A cached answer goes out as the bytes it was encoded to for its first caller.
          async (args) => this.encoded.of(await this.call(name, args)),
          this.log,
        ),
      );
  }

  async stop(): Promise<void> {
    await Promise.all(this.registrations.splice(0).map((r) => r.unregister().catch(() => undefined)));
  }
}
