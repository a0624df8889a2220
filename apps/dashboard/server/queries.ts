/**
 * Calls to the query procedures (docs/domain.md, "Read side"): arguments checked with the contract's
 * schemas before they leave (so a bad page number is a 400 here, not a round trip), answers checked
 * against the shapes the pages read (server/results.ts).
 */
import type { z } from 'zod';
import { PROCEDURES, queryArgsSchemas } from '../../shared/contract';
import { ApiError, firstIssue, fromRpcError } from './errors';
import type { GatewayLink } from './gateway-link';

type QueryName = keyof typeof queryArgsSchemas;

const procedureOf: Record<QueryName, string> = {
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

/** An RPC whose failure becomes an ApiError and whose answer must have the `result` shape (else 502). */
export async function checkedCall<S extends z.ZodType>(
  link: GatewayLink,
  procedure: string,
  args: unknown,
  result: S,
  what: string,
): Promise<z.output<S>> {
  let answer: unknown;
  try {
    answer = await link.call(procedure, args);
  } catch (err) {
    throw fromRpcError(procedure, err);
  }
  const parsed = result.safeParse(answer);
  if (!parsed.success)
    throw new ApiError(
      502,
      'upstream_error',
      `${what} answered an unexpected shape: ${firstIssue(parsed.error.issues)}`,
    );
  return parsed.data;
}

export class Queries {
  constructor(private readonly link: GatewayLink) {}

  async ask<S extends z.ZodType>(
    name: QueryName,
    args: z.input<(typeof queryArgsSchemas)[QueryName]>,
    result: S,
  ): Promise<z.output<S>> {
    const checked = queryArgsSchemas[name].safeParse(args);
    if (!checked.success) throw new ApiError(400, 'invalid_argument', firstIssue(checked.error.issues));
    return checkedCall(this.link, procedureOf[name], checked.data ?? {}, result, name);
  }
}
