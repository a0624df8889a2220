/**
 * Mesh: the gateways as a graph (hub in the middle, edges around), each link drawn up or down with
 * its RTT and message rate, and per gateway its clients, subscriptions and registrations, from the
 * gateways' admin APIs (polled by the server, pushed as `mesh`).
 */
import type { MeshGatewayView } from '../../model/mesh';
import { h, s } from '../dom';
import { int, ms } from '../format';
import type { Live } from '../live';

const W = 560;
const H = 360;

function layout(gws: MeshGatewayView[]): Map<string, [number, number]> {
  const pos = new Map<string, [number, number]>();
  const hubs = gws.filter((g) => g.role === 'hub');
  const edges = gws.filter((g) => g.role !== 'hub');
  hubs.forEach((g, i) => pos.set(g.id, [W / 2 + (i - (hubs.length - 1) / 2) * 120, H / 2]));
  edges.forEach((g, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(1, edges.length);
    pos.set(g.id, [W / 2 + Math.cos(a) * 200, H / 2 + Math.sin(a) * 130]);
  });
  return pos;
}

export function meshPage(live: Live): { el: HTMLElement; destroy(): void } {
  const svg = s('svg', {
    viewBox: `0 0 ${W} ${H}`,
    class: 'mesh-graph',
    role: 'img',
    'aria-label': 'Gateway mesh',
  });
  const table = h('div', { id: 'mesh-table' });
  const note = h('p', { class: 'muted', id: 'mesh-note' }, '');

  const render = (): void => {
    const view = live.data.mesh;
    const gws = view?.gateways ?? [];
    note.textContent =
      gws.length === 0
        ? 'No gateway admin URLs configured (GATEWAY_ADMIN_URLS).'
        : `Polled ${view?.polled_at ? new Date(view.polled_at).toLocaleTimeString() : '–'}`;
    const pos = layout(gws);
    const seen = new Set<string>();
    const links: SVGElement[] = [];
    // Drawn after every line, so no line crosses a label (style.css gives them a halo too).
    const labels: SVGElement[] = [];
    for (const g of gws)
      for (const l of g.links) {
        const key = [g.id, l.peer].sort().join('|');
        if (seen.has(key) || !pos.has(l.peer)) continue;
        seen.add(key);
        const other = gws.find((o) => o.id === l.peer)?.links.find((x) => x.peer === g.id);
        const up = l.up && (other ? other.up : true);
        const [x1, y1] = pos.get(g.id)!;
        const [x2, y2] = pos.get(l.peer)!;
        const rate = (l.msgs_per_s ?? 0) + (other?.msgs_per_s ?? 0);
        links.push(
          s('line', {
            x1,
            y1,
            x2,
            y2,
            class: `link ${up ? 'up' : 'down'}`,
            'data-link': key,
            'data-up': String(up),
          }),
        );
        labels.push(
          s(
            'text',
            { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 6, class: 'link-label' },
            up ? `${ms(l.rtt_ms)} · ${Math.round(rate)} msg/s` : 'down',
          ),
        );
      }
    const nodes = gws.map((g) => {
      const [x, y] = pos.get(g.id)!;
      return s(
        'g',
        {
          class: `node ${g.reachable ? 'up' : 'down'} ${g.role}`,
          'data-gateway': g.id,
          transform: `translate(${x},${y})`,
        },
        s('circle', { r: 30 }),
        s('text', { y: -4, class: 'node-id' }, g.id),
        s(
          'text',
          { y: 12, class: 'node-sub' },
          g.reachable ? `${int(g.clients)} client${g.clients === 1 ? '' : 's'}` : 'unreachable',
        ),
      );
    });
    svg.replaceChildren(...links, ...labels, ...nodes);
    table.replaceChildren(
      h(
        'table',
        { class: 'table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Gateway', 'Role', 'Clients', 'Subscriptions', 'Registrations', 'Links', 'Procedures'].map((t) =>
              h('th', {}, t),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          gws.map((g) =>
            h(
              'tr',
              { 'data-gateway-row': g.id },
              h(
                'td',
                {},
                g.id,
                g.reachable ? '' : h('span', { class: 'badge bad' }, g.error ?? 'unreachable'),
              ),
              h('td', {}, g.region ? `edge (${g.region})` : g.role),
              h('td', { class: 'num' }, int(g.clients)),
              h('td', { class: 'num' }, int(g.subscriptions)),
              h('td', { class: 'num' }, int(g.registrations)),
              h(
                'td',
                {},
                g.links.map((l) =>
                  h(
                    'span',
                    { class: `badge ${l.up ? 'good' : 'bad'}` },
                    `${l.peer} ${l.up ? ms(l.rtt_ms) : 'down'}`,
                  ),
                ),
              ),
              h('td', { class: 'procs', title: g.procedures.join('\n') }, `${g.procedures.length}`),
            ),
          ),
        ),
      ),
    );
  };
  const off = live.on('mesh', render);
  render();
  return {
    el: h('div', { class: 'page mesh' }, h('section', { class: 'panel' }, svg), note, table),
    destroy: off,
  };
}
