/** Pure helpers of the query procedures: paging, search patterns, history buckets. */

export interface Page {
  limit: number;
  offset: number;
}

export function pageOf(page: number, pageSize: number): Page {
  return { limit: pageSize, offset: (page - 1) * pageSize };
}

export function totalPages(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

/**
 * An ILIKE pattern that matches `text` anywhere, literally: `%`, `_` and `\` in what a user typed
 * are escaped, so a search is never a pattern of theirs (and it is a bound parameter, never SQL).
 */
export function containsPattern(text: string): string {
  return `%${text.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** History is returned as at most this many points: longer windows are averaged per bucket. */
export const MAX_POINTS = 1000;

/** Bucket width in whole seconds for `hours` of history in at most MAX_POINTS points (≥ 1 s). */
export function bucketSeconds(hours: number): number {
  return Math.max(1, Math.ceil((hours * 3600) / MAX_POINTS));
}

/** Sort keys of get_homes (the contract's enum) → columns; nothing else ever reaches ORDER BY. */
export const SORT_COLUMNS = {
  home_id: 'home_id',
  name: 'name',
  city: 'city',
  region: 'region',
  production_w: 'production_w',
  consumption_w: 'consumption_w',
  state_of_charge_pct: 'state_of_charge_pct',
} as const;
