/**
 * The map of Flanders: Belgium's outline (from `world-atlas`, cut out at build time), each region
 * drawn as the hull of its homes' real coordinates with a dot per municipality, and per region the
 * live production, consumption and today's weather.
 */
import { boundsOf, convexHull, pathOf, projector, type LonLat } from '../model/geo';
import type { LocationView, RegionFigures } from '../model/live-state';
import type { WeatherDay } from '../../shared/contract/simulation';
import { h, s } from './dom';
import { int, power } from './format';
import type { Live } from './live';

const W = 520;
const H = 300;
const NAMES: Record<string, string> = {
  antwerp: 'Antwerp',
  brabant: 'Flemish Brabant',
  'east-flanders': 'East Flanders',
};

type Outline = { coordinates: number[][][][] };
let outline: Promise<Outline> | undefined;

function sky(w: WeatherDay | undefined): string {
  if (!w) return '';
  const sky = w.sunshine > 0.6 ? 'sunny' : w.sunshine > 0.3 ? 'partly cloudy' : 'cloudy';
  return `Today: ${sky} (${Math.round(w.sunshine * 100)} % sun), ${w.temperature_c.toFixed(1)} °C`;
}

export function regionMap(live: Live): { el: HTMLElement; destroy(): void } {
  const svg = s('svg', {
    viewBox: `0 0 ${W} ${H}`,
    class: 'map',
    role: 'img',
    'aria-label': 'Map of the three regions',
  });
  const legend = h('div', { class: 'region-legend' });
  const el = h('section', { class: 'panel map-panel' }, h('h3', {}, 'Regions'), svg, legend);
  let shape: Outline | undefined;

  const draw = (): void => {
    const locations: LocationView[] = live.data.locations ?? [];
    if (!shape) return;
    const rings = shape.coordinates.flat() as unknown as LonLat[][];
    // Frame Flanders (the north), where the homes are, with some of Wallonia for context.
    const pts: LonLat[] = locations.map((l) => [l.longitude, l.latitude]);
    const box = boundsOf(pts.length > 2 ? pts : rings.flat());
    const frame = {
      minLon: box.minLon - 0.35,
      maxLon: box.maxLon + 0.35,
      minLat: box.minLat - 0.25,
      maxLat: box.maxLat + 0.2,
    };
    const project = projector(frame, W, H);
    svg.replaceChildren(
      s('defs', {}, s('clipPath', { id: 'frame' }, s('rect', { x: 0, y: 0, width: W, height: H }))),
      s('path', { d: pathOf(rings, project), class: 'country' }),
    );
    for (const region of Object.keys(NAMES)) {
      const mine = locations.filter((l) => l.region === region);
      if (mine.length === 0) continue;
      const hull = convexHull(mine.map((l) => [l.longitude, l.latitude] as LonLat));
      svg.append(
        s('path', { d: pathOf([hull], project), class: `region r-${region}`, 'data-region': region }),
      );
      for (const l of mine) {
        const [x, y] = project([l.longitude, l.latitude]);
        svg.append(
          s(
            'circle',
            { cx: x, cy: y, r: Math.min(7, 2 + Math.sqrt(l.homes)), class: `city r-${region}` },
            s('title', {}, `${l.city}: ${l.homes} homes`),
          ),
        );
      }
      const [cx, cy] = project([
        mine.reduce((a, l) => a + l.longitude, 0) / mine.length,
        mine.reduce((a, l) => a + l.latitude, 0) / mine.length,
      ]);
      svg.append(s('text', { x: cx, y: cy - 10, class: 'region-label' }, NAMES[region]));
    }
    figures();
  };

  const figures = (): void => {
    const regions: RegionFigures[] = live.data.regions ?? [];
    const weather = live.data.clock?.weather ?? [];
    legend.replaceChildren(
      ...regions.map((r) =>
        h(
          'div',
          { class: `region-card r-${r.region}`, 'data-region': r.region },
          h('strong', {}, NAMES[r.region] ?? r.region),
          h('span', {}, `${int(r.connected_homes ?? r.homes)} homes`),
          h('span', {}, `Production ${power(r.production_w)}`),
          h('span', {}, `Consumption ${power(r.consumption_w)}`),
          h(
            'span',
            { class: 'weather', 'data-weather': r.region },
            sky(weather.find((w) => w.region === r.region)),
          ),
        ),
      ),
    );
  };

  outline ??= fetch('/assets/belgium.json').then((r) => r.json() as Promise<Outline>);
  void outline.then((o) => {
    shape = o;
    draw();
  });
  const offs = [live.on('locations', draw), live.on('regions', figures)];
  let lastWeather = '';
  offs.push(
    live.on('clock', () => {
      const key = JSON.stringify(live.data.clock?.weather ?? []);
      if (key !== lastWeather) {
        lastWeather = key;
        figures();
      }
    }),
  );
  figures();
  return { el, destroy: () => offs.forEach((f) => f()) };
}
