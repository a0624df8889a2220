/**
 * The ingest queue's two lanes on real PostgreSQL (apps/projections/ingest.ts): a lane that
 * finished its part of a batch starts its part of the next one while the other lane is still on
 * the first; yet no batch counts as committed (so none is acknowledged) before the batches ahead of
 * it on every lane.
 */
import { IngestQueue } from '../../apps/projections/ingest';
import type { Applied } from '../../apps/projections/model/plan';
import { createLogger } from '../../apps/shared/logger';
import * as E from '../helpers/domain-events';
import { homesOnLanes } from '../helpers/lanes';
import { waitFor } from '../helpers/mesh';
import { startTestPostgres, type TestPostgres } from '../helpers/pg';

jest.setTimeout(60_000);

const T0 = '2025-03-03T10:00:00.000Z';
const at = (h: number) => E.hourIso(T0, h);
const applied = (e: E.Published): Applied => ({ topic: e.topic, event: e.payload }) as Applied;

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startTestPostgres();
}, 90_000);
afterAll(async () => {
  await pg?.stop();
});

it('pipelines the lanes, and a batch commits only after the batches ahead of it', async () => {
  const db = await pg.database();
  const queue = new IngestQueue(db.pool, createLogger('ingest-lanes-test'), {
    maxBatch: 2,
    flushMs: 10,
    writers: 2,
  });
  const [a, b] = homesOnLanes('h'); // a on lane 0, b on lane 1
  const reached: number[] = []; // the lane of each part that got to its COMMIT, in order
  let releaseLane1!: () => void;
  const lane1Held = new Promise<void>((r) => (releaseLane1 = r));
  queue.beforePartCommit = async (lane) => {
    reached.push(lane);
    // Lane 1 holds its part of the first batch until lane 0 is at its part of the second.
    if (lane === 1 && reached.filter((l) => l === 1).length === 1) await lane1Held;
  };
  const done: string[] = [];
  const first = [
    queue.add(applied(E.measured(a, 'antwerp', at(1)))),
    queue.add(applied(E.measured(b, 'antwerp', at(1)))),
  ];
  const second = [
    queue.add(applied(E.measured(a, 'antwerp', at(2)))),
    queue.add(applied(E.measured(b, 'antwerp', at(2)))),
  ];
  void Promise.all(first).then(() => done.push('first'));
  void Promise.all(second).then(() => done.push('second'));

  await waitFor(
    () => reached.filter((l) => l === 0).length === 2,
    10_000,
    "lane 0 at the second batch's part",
  );
  // Lane 0 committed its part of both batches; lane 1 is still on the first: neither batch is done.
  expect(await pg.count(db, 'energy_events', `home_id = '${a}'`)).toBe(2);
  expect(await pg.count(db, 'energy_events', `home_id = '${b}'`)).toBe(0);
  expect(done).toEqual([]);
  expect(queue.committed).toBe(0);

  releaseLane1();
  await Promise.all([...first, ...second]);
  expect(done).toEqual(['first', 'second']);
  expect(queue.committed).toBe(4);
  expect(await pg.count(db, 'energy_events')).toBe(4);
  await queue.stop();
});
