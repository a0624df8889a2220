/**
 * A live uPlot chart: a bounded table in (the server keeps ≤ 600 points per series), redraws
 * coalesced to one per `redrawMs` and drawn in an animation frame, so a fast stream never makes the
 * main thread draw more than a few frames a second. Sizes follow the container.
 */
import uPlot from 'uplot';
import { throttle } from '../model/throttle';
import { h } from './dom';
import type { Table } from './live';

export interface SeriesSpec {
  key: string;
  label: string;
  color: string;
  /** Formats a value for the legend. */
  value?: (v: number | null) => string;
  /** Formats an axis tick (default: `value`). */
  tick?: (v: number) => string;
  scale?: string;
}

export interface LiveChart {
  el: HTMLElement;
  update(table: Table | undefined): void;
  destroy(): void;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

export function liveChart(
  title: string,
  series: SeriesSpec[],
  opts: { height?: number; timeX?: boolean } = {},
): LiveChart {
  const box = h('div', { class: 'chart-box' });
  const el = h('section', { class: 'panel chart', 'data-chart': title }, h('h3', {}, title), box);
  let plot: uPlot | undefined;
  let latest: Table | undefined;
  const height = opts.height ?? 180;

  const data = (): uPlot.AlignedData => {
    const t = latest?.t ?? [];
    return [
      opts.timeX === false ? t : t.map((x) => x / 1000),
      ...series.map((s) => latest?.[s.key] ?? []),
    ] as uPlot.AlignedData;
  };

  const create = (width: number): void => {
    const axis = {
      stroke: cssVar('--muted'),
      grid: { stroke: cssVar('--grid'), width: 1 },
      ticks: { stroke: cssVar('--grid') },
    };
    const scales = [...new Set(series.map((s) => s.scale ?? 'y'))];
    plot = new uPlot(
      {
        width,
        height,
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: opts.timeX !== false } },
        axes: [
          axis,
          ...scales.map((scale, i) => {
            const first = series.find((x) => (x.scale ?? 'y') === scale);
            const fmt = first?.tick ?? first?.value;
            return {
              ...axis,
              scale,
              side: i === 0 ? 3 : 1,
              size: 72,
              values: fmt ? (_u: uPlot, splits: number[]) => splits.map((v) => fmt(v)) : undefined,
            };
          }),
        ],
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color.startsWith('var(') ? cssVar(s.color.slice(4, -1)) : s.color,
            width: 1.5,
            scale: s.scale ?? 'y',
            points: { show: false },
            value: s.value ? (_u: uPlot, v: number | null) => s.value!(v) : undefined,
          })),
        ],
      },
      data(),
      box,
    );
    el.dataset.points = String(latest?.t.length ?? 0);
  };

  const redraw = throttle(() => {
    requestAnimationFrame(() => {
      if (!plot) return;
      plot.setData(data());
      el.dataset.points = String(latest?.t.length ?? 0);
    });
  }, 250);

  const resize = new ResizeObserver(() => {
    const width = Math.max(200, Math.floor(box.clientWidth));
    if (!plot) create(width);
    else if (plot.width !== width) plot.setSize({ width, height });
  });
  resize.observe(box);
  // Colours are read from the theme when the plot is made: a switch of the system theme remakes it.
  const scheme = matchMedia('(prefers-color-scheme: dark)');
  const retheme = (): void => {
    plot?.destroy();
    plot = undefined;
    create(Math.max(200, Math.floor(box.clientWidth)));
  };
  scheme.addEventListener('change', retheme);

  return {
    el,
    update(table) {
      latest = table;
      redraw();
    },
    destroy() {
      redraw.cancel();
      resize.disconnect();
      scheme.removeEventListener('change', retheme);
      plot?.destroy();
    },
  };
}
