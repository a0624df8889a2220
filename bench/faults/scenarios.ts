/**
 * The scenarios `npm run bench:faults` runs (bench/faults.ts), one row each per round.
 */
import { slowConsumer } from './slow-consumer';

export interface ScenarioRow {
  published: number;
  /** Published and accepted, never delivered (for the slow consumer: dropped for the normal ones). */
  lost: number;
  /** What the gateways counted as given up toward the subscriber (macula_mesh_lost_total, net). */
  reported: number;
  dup: number;
  reorder: number;
  p99Ms: number;
  rssPeakMb: number;
  note: string;
}

export interface Scenario {
  name: string;
  title: string;
  run(transport: 'quic' | 'tls'): Promise<ScenarioRow>;
}

const SLOW_MESSAGES = 200_000;

function slowScenario(withSlow: boolean): Scenario {
  return {
    name: withSlow ? 'slow' : 'slow-baseline',
    title: withSlow
      ? 'one subscriber that never reads, 200,000 messages'
      : 'the same without the stuck subscriber (baseline)',
    async run() {
      const r = await slowConsumer(SLOW_MESSAGES, withSlow);
      return {
        published: SLOW_MESSAGES,
        lost: r.missed[0] + r.missed[1],
        reported: r.droppedForSlow,
        dup: 0,
        reorder: 0,
        p99Ms: NaN,
        rssPeakMb: r.rssPeakMb,
        note: `normal subscribers ${r.rates.map((x) => Math.round(x / 1000)).join(' / ')}k msg/s; gateway CPU ${r.gatewayCpuS} s; dropped for the stuck one ${r.droppedForSlow}`,
      };
    },
  };
}

export const SCENARIOS: Scenario[] = [slowScenario(false), slowScenario(true)];
