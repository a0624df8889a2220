/**
 * Homes: search as you type (debounced, `search_homes`), browse by region and city
 * (`get_homes`, `get_locations`, `get_homes_by_location`), and a home's detail with its history
 * chart, trades and monthly bills (`/api/homes/:id`).
 */
import { getJson } from '../api';
import { liveChart } from '../chart';
import { h } from '../dom';
import { eur, int, kwh, pct, power, simTime } from '../format';
import type { Live } from '../live';

interface HomeRow {
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

type Nav = (path: string) => void;

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

interface Detail {
  home: HomeRow & Record<string, unknown>;
  history: Array<{
    simulation_time: string | null;
    production_w: number | null;
    consumption_w: number | null;
    state_of_charge_pct?: number | null;
  }>;
  trades: Array<Record<string, unknown>>;
  bills: Array<Record<string, unknown>>;
}

const num = (v: unknown) =>
  typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : null;

export function homeDetailPage(id: string, nav: Nav): { el: HTMLElement; destroy(): void } {
  const body = h('div', { class: 'detail' }, h('p', { class: 'muted' }, 'Loading…'));
  const ctrl = new AbortController();
  const charts: Array<{ destroy(): void }> = [];
  void getJson<Detail>(`/api/homes/${encodeURIComponent(id)}?hours=168`, ctrl.signal)
    .then((d) => {
      const hm = d.home;
      const facts: Array<[string, string]> = [
        ['City', `${hm.city ?? '–'} (${hm.region ?? '–'})`],
        ['Provider', String(hm.provider_id ?? '–')],
        ['Connected', hm.connected ? 'yes' : 'no'],
        ['Solar', `${num(hm.solar_capacity_kw) ?? '–'} kWp`],
        ['Battery', `${num(hm.battery_capacity_kwh) ?? '–'} kWh (${pct(hm.state_of_charge_pct)})`],
        ['Annual consumption', kwh(num(hm.annual_consumption_kwh))],
        ['Now', `${power(hm.production_w)} produced, ${power(hm.consumption_w)} used`],
      ];
      const chart = liveChart('History (last 7 simulated days)', [
        { key: 'production_w', label: 'Production', color: 'var(--c-prod)', value: power },
        { key: 'consumption_w', label: 'Consumption', color: 'var(--c-cons)', value: power },
      ]);
      charts.push(chart);
      const pts = d.history.filter((p) => p.simulation_time);
      chart.update({
        t: pts.map((p) => Date.parse(p.simulation_time!)),
        production_w: pts.map((p) => p.production_w),
        consumption_w: pts.map((p) => p.consumption_w),
      });
      body.replaceChildren(
        h(
          'dl',
          { class: 'facts' },
          facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
        ),
        chart.el,
        h(
          'section',
          { class: 'panel' },
          h('h3', {}, 'Monthly bills'),
          d.bills.length === 0
            ? h('p', { class: 'empty' }, 'No bill yet.')
            : h(
                'table',
                { class: 'table bills' },
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    [
                      'Month',
                      'Consumption',
                      'Import',
                      'Export',
                      'Energy',
                      'Network',
                      'Capacity',
                      'VAT',
                      'Total',
                    ].map((t) => h('th', {}, t)),
                  ),
                ),
                h(
                  'tbody',
                  {},
                  d.bills.map((b) =>
                    h(
                      'tr',
                      {},
                      h('td', {}, String(b.month)),
                      ...[
                        kwh(num(b.consumption_kwh)),
                        kwh(num(b.import_kwh)),
                        kwh(num(b.export_kwh)),
                        eur(num(b.energy_cost)),
                        eur(num(b.network_cost)),
                        eur(num(b.capacity_cost)),
                        eur(num(b.vat)),
                        eur(num(b.total)),
                      ].map((v) => h('td', { class: 'num' }, v)),
                    ),
                  ),
                ),
              ),
        ),
        h(
          'section',
          { class: 'panel' },
          h('h3', {}, 'Trades'),
          d.trades.length === 0
            ? h('p', { class: 'empty' }, 'No trades in this window.')
            : h(
                'table',
                { class: 'table trades' },
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    ['Time', 'Import', 'Export', 'Import cost', 'Export revenue', 'Net'].map((t) =>
                      h('th', {}, t),
                    ),
                  ),
                ),
                h(
                  'tbody',
                  {},
                  d.trades
                    .slice(-50)
                    .reverse()
                    .map((t) =>
                      h(
                        'tr',
                        {},
                        h('td', {}, simTime(t.simulation_time as string)),
                        ...[
                          kwh(num(t.grid_import_kwh)),
                          kwh(num(t.grid_export_kwh)),
                          eur(num(t.import_cost)),
                          eur(num(t.export_revenue)),
                          eur(num(t.net_cost)),
                        ].map((v) => h('td', { class: 'num' }, v)),
                      ),
                    ),
                ),
              ),
        ),
      );
      const title = document.getElementById('home-title');
      if (title) title.textContent = hm.name ?? hm.home_id;
    })
    .catch((err: Error) => {
      if (err.name !== 'AbortError')
        body.replaceChildren(
          h('p', { class: 'error', id: 'home-error' }, `Could not load home ${id}: ${err.message}`),
        );
    });
  const el = h(
    'div',
    { class: 'page home-detail', 'data-home': id },
    h('a', { href: '/homes', onclick: (e: Event) => (e.preventDefault(), nav('/homes')) }, '‹ All homes'),
    h('h2', { id: 'home-title' }, id),
    body,
  );
  return { el, destroy: () => (ctrl.abort(), charts.forEach((c) => c.destroy())) };
}
