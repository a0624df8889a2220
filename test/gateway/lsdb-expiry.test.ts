/**
 * Advertisement expiry (docs/loss.md): a gateway's advertisement is forgotten MESH_REPLAY_S after it
 * became unreachable, however long the mesh was stable before. Expiry used to count from the last
 * topology change, so a cut on a mesh older than the window lost the cut-off gateway's interest at
 * once and nothing was replayed.
 */
import { LinkStateDb, type Lsa } from '../../gateway/mesh/lsdb';

const WINDOW_MS = 30_000;
const T0 = 1_800_000_000_000;

function lsa(origin: string, neighbors: string[], version = 1): Lsa {
  return { origin, epoch: 1, version, neighbors, patterns: ['be.cortexiq.>'], procedures: [] };
}

/** g1's database of the line g1–g2–g3. */
function line(): LinkStateDb {
  const db = new LinkStateDb('g1');
  db.apply(lsa('g1', ['g2']));
  db.apply(lsa('g2', ['g1', 'g3']));
  db.apply(lsa('g3', ['g2']));
  db.setOwnLinks(['g2']);
  return db;
}

describe('LinkStateDb expiry', () => {
  beforeEach(() => jest.useFakeTimers({ now: T0 }));
  afterEach(() => jest.useRealTimers());

  it('keeps a gateway cut off on an old mesh for the whole window from the cut', () => {
    const db = line();
    // The mesh stays unchanged for twice the window, then g2 loses g3.
    jest.setSystemTime(T0 + 2 * WINDOW_MS);
    expect(db.expire(WINDOW_MS)).toEqual([]);
    db.apply(lsa('g2', ['g1'], 2));
    expect(db.reachable('g3')).toBe(false);
    expect(db.unreachableFor('g3')).toBe(0);

    expect(db.expire(WINDOW_MS, T0 + 2 * WINDOW_MS + 1000)).toEqual([]);
    expect(db.interestedIn('be.cortexiq.x')).toEqual(['g2', 'g3']);
    expect(db.expire(WINDOW_MS, T0 + 3 * WINDOW_MS - 1)).toEqual([]);
    expect(db.expire(WINDOW_MS, T0 + 3 * WINDOW_MS + 1)).toEqual(['g3']);
    expect(db.interestedIn('be.cortexiq.y')).toEqual(['g2']);
  });

  it('starts the window again when a gateway comes back and is cut again', () => {
    const db = line();
    db.apply(lsa('g2', ['g1'], 2));
    jest.setSystemTime(T0 + WINDOW_MS - 1000);
    db.apply(lsa('g2', ['g1', 'g3'], 3));
    expect(db.unreachableFor('g3')).toBeUndefined();
    jest.setSystemTime(T0 + WINDOW_MS);
    db.apply(lsa('g2', ['g1'], 4));
    expect(db.expire(WINDOW_MS, T0 + 2 * WINDOW_MS - 1)).toEqual([]);
    expect(db.expire(WINDOW_MS, T0 + 2 * WINDOW_MS + 1)).toEqual(['g3']);
  });
});
