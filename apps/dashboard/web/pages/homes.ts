/**
 * Homes: search as you type (debounced, `search_homes`) and browse by region and city
 * (`get_homes`, `get_locations`, `get_homes_by_location`); a row opens the home's detail.
 */
import { getJson } from '../api';
import { h } from '../dom';
import { int, pct, power } from '../format';
import type { Live } from '../live';

export interface HomeRow {
  home_id: string;
  name: string | null;
  region: string | null;
  city: string | null;
  connected?: boolean | null;
  provider_id?: string | null;
  production_w?: number | null;
  consumption_w?: number | null;
  state_of_charge_pct?: number | null;
}

export type Nav = (path: string) => void;

function homesTable(rows: HomeRow[], nav: Nav): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty' }, 'No homes found.');
  return h(
    'table',
    { class: 'table homes-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Home', 'City', 'Region', 'Provider', 'Production', 'Consumption', 'Battery'].map((t) =>
          h('th', {}, t),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          { 'data-home': r.home_id },
          h(
            'td',
            {},
            h(
              'a',
              {
                href: `/homes/${encodeURIComponent(r.home_id)}`,
                onclick: (e: Event) => (e.preventDefault(), nav(`/homes/${encodeURIComponent(r.home_id)}`)),
              },
              r.name ?? r.home_id,
            ),
          ),
          h('td', {}, r.city ?? '–'),
          h('td', {}, r.region ?? '–'),
          h('td', {}, r.provider_id ?? '–'),
          h('td', { class: 'num' }, power(r.production_w)),
          h('td', { class: 'num' }, power(r.consumption_w)),
          h('td', { class: 'num' }, pct(r.state_of_charge_pct)),
        ),
      ),
    ),
  );
}

export function homesPage(_live: Live, nav: Nav): { el: HTMLElement; destroy(): void } {
  const results = h('div', { class: 'results', id: 'home-results' });
  const status = h('p', { class: 'muted', id: 'homes-status' }, '');
  const search = h('input', {
    type: 'search',
    id: 'home-search',
    placeholder: 'Search by name, city, postal code or id…',
    autocomplete: 'off',
    'aria-label': 'Search homes',
  });
  const region = h(
    'select',
    { id: 'home-region', 'aria-label': 'Region' },
    h('option', { value: '' }, 'All regions'),
    ...['antwerp', 'brabant', 'east-flanders'].map((r) => h('option', { value: r }, r)),
  );
  const city = h(
    'select',
    { id: 'home-city', 'aria-label': 'City' },
    h('option', { value: '' }, 'All cities'),
  );
  let page = 1;
  let ctrl: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const show = async (path: string, label: string): Promise<void> => {
    ctrl?.abort();
    ctrl = new AbortController();
    status.textContent = 'Loading…';
    try {
      const r = await getJson<{ homes: HomeRow[]; total?: number; total_pages?: number; page?: number }>(
        path,
        ctrl.signal,
      );
      results.replaceChildren(homesTable(r.homes, nav));
      status.textContent =
        r.total !== undefined
          ? `${label}: ${int(r.total)} homes, page ${r.page} of ${Math.max(1, r.total_pages ?? 1)}`
          : `${label}: ${r.homes.length} shown`;
      if (r.total_pages && r.total_pages > 1)
        results.append(
          h(
            'div',
            { class: 'pager' },
            h(
              'button',
              { type: 'button', disabled: page <= 1, onclick: () => ((page -= 1), void browse()) },
              '‹ Previous',
            ),
            h(
              'button',
              {
                type: 'button',
                disabled: page >= r.total_pages,
                onclick: () => ((page += 1), void browse()),
              },
              'Next ›',
            ),
          ),
        );
    } catch (err) {
      if ((err as Error).name !== 'AbortError')
        status.textContent = `Could not load homes: ${(err as Error).message}`;
    }
  };

  const browse = (): Promise<void> => {
    if (city.value) return show(`/api/locations/${encodeURIComponent(city.value)}`, city.value);
    const q = new URLSearchParams({ page: String(page) });
    if (region.value) q.set('region', region.value);
    return show(`/api/homes?${q}`, region.value || 'All regions');
  };

  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const q = search.value.trim();
      if (q) void show(`/api/search?${new URLSearchParams({ q, limit: '25' })}`, `“${q}”`);
      else void browse();
    }, 250);
  });
  region.addEventListener('change', () => {
    page = 1;
    city.value = '';
    void browse();
  });
  city.addEventListener('change', () => void browse());
  void getJson<{ locations: Array<{ city: string; region: string | null; homes: number }> }>('/api/locations')
    .then((r) =>
      city.append(...r.locations.map((l) => h('option', { value: l.city }, `${l.city} (${l.homes})`))),
    )
    .catch(() => undefined);
  void browse();

  const el = h(
    'div',
    { class: 'page homes' },
    h('div', { class: 'toolbar' }, search, region, city),
    status,
    results,
  );
  return { el, destroy: () => (ctrl?.abort(), clearTimeout(timer)) };
}
