/**
 * Providers: the market-share table (`get_providers`), with the live rank, trend and
 * competitiveness of `provider.metrics_calculated` and the offer's prices.
 */
import { getJson } from '../api';
import { h } from '../dom';
import { int, priceKwh } from '../format';
import type { Live } from '../live';

interface ProviderRow {
  provider_id: string;
  provider_name: string | null;
  strategy?: string | null;
  region?: string | null;
  contract_type?: string | null;
  customers: number;
  market_share: number;
  offer?: Record<string, unknown> | null;
  rank?: number | null;
  trend?: 'up' | 'down' | 'flat' | null;
  competitiveness?: number | null;
}

const TREND = { up: '▲', down: '▼', flat: '▬' } as const;

function prices(offer: Record<string, unknown> | null | undefined): string {
  if (!offer) return '–';
  if (offer.contract_type === 'dynamic') return `day-ahead + ${priceKwh(offer.buy_markup as number)}`;
  return `day ${priceKwh(offer.day_buy_price as number)} · night ${priceKwh(offer.night_buy_price as number)}`;
}

export function providersPage(live: Live): { el: HTMLElement; destroy(): void } {
  const table = h('div', { id: 'providers-table' }, h('p', { class: 'muted' }, 'Loading…'));
  let rows: ProviderRow[] = [];

  const render = (): void => {
    const liveMetrics = new Map((live.data.providers ?? []).map((p) => [p.provider_id, p]));
    const merged = rows.map((r) => ({ ...r, ...(liveMetrics.get(r.provider_id) ?? {}) }));
    merged.sort((a, b) => b.market_share - a.market_share);
    table.replaceChildren(
      merged.length === 0
        ? h('p', { class: 'empty' }, 'No provider has made an offer yet.')
        : h(
            'table',
            { class: 'table providers' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['#', 'Provider', 'Strategy', 'Region', 'Customers', 'Share', 'Trend', 'Prices'].map((t) =>
                  h('th', {}, t),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              merged.map((p, i) =>
                h(
                  'tr',
                  { 'data-provider': p.provider_id },
                  h('td', {}, String(p.rank ?? i + 1)),
                  h('td', {}, p.provider_name ?? p.provider_id),
                  h('td', {}, p.strategy ?? '–'),
                  h('td', {}, p.region ?? '–'),
                  h('td', { class: 'num' }, int(p.customers)),
                  h(
                    'td',
                    { class: 'num' },
                    h(
                      'span',
                      { class: 'share' },
                      h(
                        'span',
                        { class: 'track' },
                        h('span', { class: 'bar', style: `width:${Math.round(p.market_share * 100)}%` }),
                      ),
                      `${(p.market_share * 100).toFixed(1)} %`,
                    ),
                  ),
                  h('td', { class: `trend ${p.trend ?? ''}` }, p.trend ? TREND[p.trend] : '–'),
                  h('td', {}, prices(p.offer)),
                ),
              ),
            ),
          ),
    );
  };

  const load = () =>
    getJson<{ providers: ProviderRow[] }>('/api/providers')
      .then((r) => {
        rows = r.providers;
        render();
      })
      .catch((err: Error) =>
        table.replaceChildren(h('p', { class: 'error' }, `Could not load providers: ${err.message}`)),
      );
  void load();
  const timer = setInterval(() => void load(), 10_000);
  const off = live.on('providers', render);
  return { el: h('div', { class: 'page providers' }, table), destroy: () => (clearInterval(timer), off()) };
}
