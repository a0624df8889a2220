/**
 * Overview: the cards of docs/dashboard.md, Pages, the financial summary, live charts
 * (production vs consumption, day-ahead price, battery, throughput) and the map of the regions.
 * Cards update on every `overview` push (text only); charts redraw throttled (chart.ts).
 */
import { h, setText } from '../dom';
import { eur, int, kwh, pct, power, priceKwh } from '../format';
import type { Live } from '../live';
import { liveChart } from '../chart';
import { regionMap } from '../map';
import type { Overview } from '../../../shared/contract/read-side';

type Card = [key: string, label: string, value: (o: Overview) => string, sub?: (o: Overview) => string];

const CARDS: Card[] = [
  ['connected_homes', 'Connected homes', (o) => int(o.connected_homes), (o) => `of ${int(o.total_homes)}`],
  ['production_w', 'Production', (o) => power(o.production_w)],
  ['consumption_w', 'Consumption', (o) => power(o.consumption_w)],
  ['avg_battery_pct', 'Average battery', (o) => pct(o.avg_battery_pct)],
  ['energy_bought_kwh', 'Energy bought', (o) => kwh(o.energy_bought_kwh), (o) => `cost ${eur(o.cost_eur)}`],
  ['energy_sold_kwh', 'Energy sold', (o) => kwh(o.energy_sold_kwh), (o) => `revenue ${eur(o.revenue_eur)}`],
  ['net_balance_eur', 'Net balance', (o) => eur(o.net_balance_eur)],
  ['contract_switches', 'Contract switches', (o) => int(o.contract_switches)],
  ['day_ahead_eur_per_kwh', 'Day-ahead price', (o) => priceKwh(o.day_ahead_eur_per_kwh)],
];

export function overviewPage(live: Live): { el: HTMLElement; destroy(): void } {
  const cards = CARDS.map(([key, label]) =>
    h(
      'div',
      { class: 'card', 'data-card': key },
      h('span', { class: 'label' }, label),
      h('span', { class: 'value' }, '–'),
      h('span', { class: 'sub' }, ''),
    ),
  );
  const FIN: Array<[string, string, (o: Overview) => string]> = [
    [
      'customer_savings_eur',
      'Customer savings from switching (net of commission)',
      (o) => eur(o.customer_savings_eur),
    ],
    ['commission_eur', 'CortexIQ commission (20 % of gross savings)', (o) => eur(o.commission_eur)],
    ['cost_eur', 'Homes paid for energy bought', (o) => eur(o.cost_eur)],
    ['revenue_eur', 'Homes earned for energy sold', (o) => eur(o.revenue_eur)],
    ['net_balance_eur', 'Net balance of the homes', (o) => eur(o.net_balance_eur)],
    ['contract_switches', 'Contract switches', (o) => int(o.contract_switches)],
  ];
  const finValues = FIN.map(([key]) => h('span', { class: 'value', 'data-fin': key }, '–'));
  const finance = h(
    'section',
    { class: 'panel finance' },
    h('h3', {}, 'Financial summary'),
    FIN.map(([, label], i) => h('div', { class: 'fin-row' }, h('span', {}, label), finValues[i])),
  );

  const production = liveChart('Production vs consumption', [
    { key: 'production_w', label: 'Production', color: 'var(--c-prod)', value: power },
    { key: 'consumption_w', label: 'Consumption', color: 'var(--c-cons)', value: power },
  ]);
  const prices = liveChart('Day-ahead price', [
    {
      key: 'eur_per_kwh',
      label: '€/kWh',
      color: 'var(--c-price)',
      value: priceKwh,
      tick: (v) => `€ ${v.toFixed(2)}`,
    },
  ]);
  const battery = liveChart('Average battery', [
    { key: 'avg_battery_pct', label: 'State of charge', color: 'var(--c-batt)', value: pct },
  ]);
  const throughput = liveChart('Throughput', [
    { key: 'events_per_s', label: 'Events/s', color: 'var(--c-prod)', value: int },
    { key: 'measurements_per_s', label: 'Measurements/s', color: 'var(--c-cons)', value: int },
  ]);
  const map = regionMap(live);

  const renderCards = (): void => {
    const o = live.data.overview;
    if (!o) return;
    CARDS.forEach(([, , value, sub], i) => {
      setText(cards[i].children[1], value(o));
      setText(cards[i].children[2], sub ? sub(o) : '');
    });
    FIN.forEach(([, , value], i) => setText(finValues[i], value(o)));
  };

  const offs = [
    live.on('overview', renderCards),
    live.on('history', () => {
      production.update(live.data.history);
      battery.update(live.data.history);
    }),
    live.on('prices', () => prices.update(live.data.prices)),
    live.on('throughput', () => throughput.update(live.data.throughput)),
  ];
  renderCards();
  production.update(live.data.history);
  battery.update(live.data.history);
  prices.update(live.data.prices);
  throughput.update(live.data.throughput);

  const el = h(
    'div',
    { class: 'page overview' },
    h('div', { class: 'cards' }, cards),
    h('div', { class: 'grid two' }, map.el, finance),
    h('div', { class: 'grid two' }, production.el, prices.el, battery.el, throughput.el),
  );
  return {
    el,
    destroy() {
      offs.forEach((f) => f());
      [production, prices, battery, throughput, map].forEach((c) => c.destroy());
    },
  };
}
