/** How a batch is split over the writer connections (apps/projections/model/lanes.ts). Pure. */
import { homeHash } from '../../apps/projections/model/home-hash';
import { laneOf, splitLanes } from '../../apps/projections/model/lanes';
import { stagedEvent, type Applied, type Planned } from '../../apps/projections/model/plan';
import * as E from '../helpers/domain-events';
import { homesOnLanes } from '../helpers/lanes';

const T0 = '2025-03-03T10:00:00.000Z';
const at = (h: number) => E.hourIso(T0, h);
const applied = (e: E.Published): Applied => ({ topic: e.topic, event: e.payload }) as Applied;
/** As the ingest queue holds it: the ticks' topics staged on arrival, the others as validated. */
const held = (e: E.Published, seq: number): Planned => stagedEvent(applied(e), seq) ?? applied(e);
const homeOf = (p: Planned): string | undefined =>
  'row' in p ? p.row.toString().split('\t')[3] : (p.event as { home_id?: string }).home_id;

describe('splitLanes', () => {
  it('puts every row of a home on one lane, keeps batch order, and the rest on lane 0', () => {
    const [a, b] = homesOnLanes();
    const events = [
      E.measured(a, 'antwerp', at(1)),
      E.tick(at(1), 1),
      E.measured(b, 'antwerp', at(1)),
      E.traded(b, 'antwerp', at(1)),
      E.initialized(b, 'antwerp', at(0)),
      E.disconnected(b, 'antwerp', at(2)),
      E.billed(b, 'antwerp', at(2), '2025-03'),
      E.balance(a, 'antwerp', at(1)),
      E.proposed('p', at(1)),
      E.switched(b, 'antwerp', at(2)),
      E.measured(b, 'antwerp', at(2)),
    ].map(held);
    const parts = splitLanes(events, 2);
    expect(parts).toHaveLength(2);
    // Each home's rows on its own lane only; nothing lost, nothing twice.
    // Home b's only event on lane 0 is its switch (a row keyed by its event, not by the home).
    expect(parts[0].filter((p) => homeOf(p) === b).map((p) => p.topic)).toEqual([
      E.switched(b, 'antwerp', at(2)).topic,
    ]);
    expect(parts[1].every((p) => homeOf(p) === b)).toBe(true);
    expect(parts.flat()).toHaveLength(events.length);
    // Batch order kept within each lane.
    for (const part of parts) {
      const places = part.map((p) => events.indexOf(p));
      expect(places).toEqual([...places].sort((x, y) => x - y));
    }
    // The clock, the offer and the switch (rows keyed by event, not home) on lane 0.
    expect(parts[0].map((p) => p.topic)).toEqual(
      expect.arrayContaining([
        E.tick(at(1), 1).topic,
        E.proposed('p', at(1)).topic,
        E.switched(b, 'antwerp', at(2)).topic,
      ]),
    );
    expect(laneOf(held(E.billed(a, 'antwerp', at(2), '2025-03'), 1), 2)).toBe(0);
    expect(laneOf(held(E.billed(b, 'antwerp', at(2), '2025-03'), 1), 2)).toBe(1);
  });

  it('keeps a batch holding a reset whole, and one lane gives one part', () => {
    const [a, b] = homesOnLanes();
    const events = [E.measured(a, 'antwerp', at(1)), E.reset(at(0)), E.measured(b, 'antwerp', at(1))].map(
      held,
    );
    expect(splitLanes(events, 2)).toEqual([events]);
    const noReset = [events[0], events[2]];
    expect(splitLanes(noReset, 1)).toEqual([noReset]);
    expect(splitLanes(noReset, 2)).toEqual([[events[0]], [events[2]]]);
    expect(splitLanes([], 2)).toEqual([]);
  });

  it('spreads many homes evenly enough over the lanes', () => {
    const counts = [0, 0];
    for (let i = 0; i < 10_000; i++) counts[homeHash(`bench-home-${String(i).padStart(5, '0')}`) % 2]++;
    expect(Math.min(...counts)).toBeGreaterThan(4_500);
  });
});
