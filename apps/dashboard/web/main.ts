/**
 * The browser entry: header with navigation, the simulation controls, the reconnecting banner, and
 * a small router between Overview, Homes (and a home's detail), Providers and Mesh, all fed by one
 * SSE stream (live.ts).
 */
import { controls } from './controls';
import { h } from './dom';
import { Live } from './live';
import { homeDetailPage } from './pages/home-detail';
import { homesPage } from './pages/homes';
import { meshPage } from './pages/mesh';
import { overviewPage } from './pages/overview';
import { providersPage } from './pages/providers';

const live = new Live();
const NAV: Array<[string, string]> = [
  ['/', 'Overview'],
  ['/homes', 'Homes'],
  ['/providers', 'Providers'],
  ['/mesh', 'Mesh'],
];

const banner = h('div', { id: 'reconnecting', class: 'banner', role: 'status', hidden: true }, '');
const links = NAV.map(([path, label]) =>
  h(
    'a',
    { href: path, 'data-nav': path, onclick: (e: Event) => (e.preventDefault(), navigate(path)) },
    label,
  ),
);
const main = h('main', { id: 'page' });
document.body.append(
  h(
    'header',
    { class: 'top' },
    h('a', { class: 'brand', href: '/' }, 'CortexIQ Mesh'),
    h('nav', {}, links),
    controls(live),
  ),
  banner,
  main,
);

let current: { destroy(): void } | undefined;

function route(): void {
  const path = location.pathname;
  current?.destroy();
  const detail = /^\/homes\/(.+)$/.exec(path);
  const page = detail
    ? homeDetailPage(decodeURIComponent(detail[1]), navigate)
    : path === '/homes'
      ? homesPage(live, navigate)
      : path === '/providers'
        ? providersPage(live)
        : path === '/mesh'
          ? meshPage(live)
          : overviewPage(live);
  current = page;
  main.replaceChildren(page.el);
  main.dataset.page = detail ? 'home' : path.slice(1) || 'overview';
  for (const a of links) a.classList.toggle('active', a.dataset.nav === (detail ? '/homes' : path));
  document.title = `CortexIQ Mesh · ${detail ? 'Home' : (NAV.find(([p]) => p === path)?.[1] ?? 'Overview')}`;
}

function navigate(path: string): void {
  if (path !== location.pathname) history.pushState(null, '', path);
  route();
}

live.on('connection', () => {
  const problem = live.problem();
  banner.hidden = problem === null;
  banner.textContent = problem ?? '';
  document.body.classList.toggle('stale', problem !== null);
});
window.addEventListener('popstate', route);
route();
live.connect();
