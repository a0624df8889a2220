/** A home's detail: its facts, history chart, monthly bills and trades (`/api/homes/:id`). */
import { getJson } from '../api';
import { liveChart } from '../chart';
import { h } from '../dom';
import { eur, kwh, pct, power, simTime } from '../format';
import type { HomeRow, Nav } from './homes';

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
