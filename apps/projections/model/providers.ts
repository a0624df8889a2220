/**
 * `provider.metrics_calculated` (docs/read-side.md, "Aggregates"): market share, rank, trend and competitiveness of
 * each provider, from its customers and its latest offer. Pure.
 */
export interface ProviderFigures {
  provider_id: string;
  provider_name: string;
  customers: number;
  /** Latest offer's energy price to compare on: static = mean of day and night, dynamic = day-ahead + markup. */
  price: number | null;
}

export interface ProviderMetric {
  provider_id: string;
  provider_name: string;
  customers: number;
  market_share: number;
  rank: number;
  trend: 'up' | 'down' | 'flat';
  competitiveness: number;
}

/** A share change smaller than this is noise, not a trend. */
const TREND_EPSILON = 0.0005;

/**
 * Rank by customers (ties by id, for a stable order); trend against the previous shares;
 * competitiveness in [0, 1]: 1 = the cheapest offer, 0 = the dearest (0.5 without a price).
 */
export function providerMetrics(
  figures: readonly ProviderFigures[],
  previousShare: ReadonlyMap<string, number>,
): ProviderMetric[] {
  const total = figures.reduce((n, f) => n + f.customers, 0);
  const prices = figures.map((f) => f.price).filter((p): p is number => p !== null);
  const min = Math.min(...prices);
  const max = Math.max(...prices);
  const sorted = [...figures].sort(
    (a, b) => b.customers - a.customers || a.provider_id.localeCompare(b.provider_id),
  );
  return sorted.map((f, i) => {
    const share = total > 0 ? f.customers / total : 0;
    const before = previousShare.get(f.provider_id);
    const trend =
      before === undefined || Math.abs(share - before) < TREND_EPSILON
        ? 'flat'
        : share > before
          ? 'up'
          : 'down';
    const competitiveness =
      f.price === null ? 0.5 : max - min < 1e-9 ? 1 : Math.min(1, Math.max(0, (max - f.price) / (max - min)));
    return {
      provider_id: f.provider_id,
      provider_name: f.provider_name,
      customers: f.customers,
      market_share: share,
      rank: i + 1,
      trend,
      competitiveness,
    };
  });
}
