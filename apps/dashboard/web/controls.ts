/**
 * The simulation controls on every page: simulated date and hour with day/night, running or
 * paused, speed presets, pause/resume and reset (POST /api/simulation/*), and the clock's answer.
 */
import { postJson } from './api';
import { h, setText } from './dom';
import { simTime, speed } from './format';
import type { Live } from './live';

const PRESETS: Array<[number, string]> = [
  [1, '1×'],
  [100, '100×'],
  [1000, '1K'],
  [10_000, '10K'],
  [105_120, 'Max'],
];

export function controls(live: Live): HTMLElement {
  const time = h('span', { id: 'sim-time', class: 'sim-time' }, '–');
  const daynight = h('span', { id: 'sim-daynight', class: 'badge' }, '');
  const state = h('span', { id: 'sim-state', class: 'badge' }, '–');
  const spd = h('span', { id: 'sim-speed', class: 'badge' }, '–');
  const result = h('output', { id: 'control-result', class: 'result', 'aria-live': 'polite' }, '');
  const toggle = h('button', { type: 'button', 'data-action': 'toggle' }, 'Pause');

  const act = async (label: string, path: string, body?: unknown): Promise<void> => {
    result.className = 'result pending';
    setText(result, `${label}…`);
    try {
      const r = await postJson<{ message: string; speed: number; paused: boolean }>(path, body);
      result.className = 'result ok';
      setText(result, `${r.message} · ${r.paused ? 'paused' : 'running'} at ${speed(r.speed)}`);
    } catch (err) {
      result.className = 'result error';
      setText(result, `${label} failed: ${(err as Error).message}`);
    }
  };

  toggle.addEventListener('click', () => {
    const paused = live.data.clock?.paused;
    void (paused ? act('Resume', '/api/simulation/resume') : act('Pause', '/api/simulation/pause'));
  });
  const presetButtons = PRESETS.map(([v, label]) =>
    h(
      'button',
      {
        type: 'button',
        'data-speed': v,
        title: `${v}× real time`,
        onclick: () => void act(`Speed ${label}`, '/api/simulation/speed', { speed: v }),
      },
      label,
    ),
  );
  const reset = h(
    'button',
    {
      type: 'button',
      'data-action': 'reset',
      class: 'danger',
      onclick: () => {
        if (confirm('Reset the simulation to its start date? The read models are cleared.'))
          void act('Reset', '/api/simulation/reset');
      },
    },
    'Reset',
  );

  const render = (): void => {
    const c = live.data.clock;
    setText(time, simTime(c?.simulation_time));
    setText(daynight, c?.is_day === null || c?.is_day === undefined ? '' : c.is_day ? '☀ day' : '☾ night');
    setText(state, c?.paused === null || c?.paused === undefined ? '–' : c.paused ? 'paused' : 'running');
    state.className = `badge ${c?.paused ? 'warn' : 'good'}`;
    setText(spd, speed(c?.speed));
    setText(toggle, c?.paused ? 'Resume' : 'Pause');
    toggle.dataset.action = c?.paused ? 'resume' : 'pause';
    for (const b of presetButtons) b.classList.toggle('active', Number(b.dataset.speed) === c?.speed);
  };
  live.on('clock', render);
  render();

  return h(
    'div',
    { class: 'controls', role: 'group', 'aria-label': 'Simulation controls' },
    h('div', { class: 'clock' }, time, daynight, state, spd),
    h('div', { class: 'buttons' }, toggle, h('span', { class: 'presets' }, presetButtons), reset),
    result,
  );
}
