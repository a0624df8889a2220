/** The projections' lanes (apps/projections/lane-scheduler.ts): order per lane, lanes at once, barriers. */
import { LaneScheduler } from '../../apps/projections/lane-scheduler';

/** A piece of work that runs until `finish` is called; records when it started and ended. */
function gated(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  return {
    work: async () => {
      log.push(`${name} start`);
      await done;
      log.push(`${name} end`);
      return name;
    },
    finish,
  };
}

/** Lets every settled promise's callbacks run. */
const settle = () => new Promise((r) => setImmediate(r));

describe('LaneScheduler', () => {
  it('runs one lane in order, one at a time, and the lanes at once', async () => {
    const lanes = new LaneScheduler(2);
    const log: string[] = [];
    const [a1, a2, b1] = [gated(log, 'a1'), gated(log, 'a2'), gated(log, 'b1')];
    const runs = [lanes.on(0, a1.work), lanes.on(0, a2.work), lanes.on(1, b1.work)];
    await settle();
    expect(log).toEqual(['a1 start', 'b1 start']); // a2 waits for a1; lane 1 does not wait for lane 0
    b1.finish();
    await settle();
    expect(log).toEqual(['a1 start', 'b1 start', 'b1 end']);
    a1.finish();
    await settle();
    expect(log.slice(3)).toEqual(['a1 end', 'a2 start']);
    a2.finish();
    expect(await Promise.all(runs)).toEqual(['a1', 'a2', 'b1']);
  });

  it('a barrier waits for every lane, and what comes after waits for it', async () => {
    const lanes = new LaneScheduler(2);
    const log: string[] = [];
    const [a, reset, b] = [gated(log, 'a'), gated(log, 'reset'), gated(log, 'b')];
    void lanes.on(0, a.work);
    const barrier = lanes.barrier(reset.work);
    void lanes.on(1, b.work);
    await settle();
    expect(log).toEqual(['a start']);
    a.finish();
    await settle();
    expect(log).toEqual(['a start', 'a end', 'reset start']);
    reset.finish();
    await barrier;
    await settle();
    expect(log.slice(3)).toEqual(['reset end', 'b start']);
    b.finish();
    await lanes.idle();
    expect(log.at(-1)).toBe('b end');
  });

  it('a failure fails only its own promise; the lane goes on', async () => {
    const lanes = new LaneScheduler(1);
    const failed = lanes.on(0, () => Promise.reject(new Error('refused')));
    const next = lanes.on(0, async () => 'next');
    await expect(failed).rejects.toThrow('refused');
    await expect(next).resolves.toBe('next');
    await expect(lanes.idle()).resolves.toBeUndefined();
  });
});
