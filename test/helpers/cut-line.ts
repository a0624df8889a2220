/**
 * A line of three real gateways, gw1–gw2–gw3, with a cutter on each link (cut-graph.ts), so a test
 * can partition either link of a path and heal it (docs/loss.md).
 */
import type { Gateway, GatewayConfig, TransportName } from '../../gateway';
import type { LinkCutter } from './link-cutter';
import { startCutGraph, type CutGraph } from './cut-graph';

export { lostIn } from './cut-graph';

export interface CutLine extends Pick<CutGraph, 'converged' | 'reportedLost' | 'stop'> {
  gateways: [Gateway, Gateway, Gateway];
  /** The link gw1–gw2. */
  cut12: LinkCutter;
  /** The link gw2–gw3. */
  cut23: LinkCutter;
}

export async function startCutLine(
  transport: TransportName,
  overrides: Partial<GatewayConfig> = {},
): Promise<CutLine> {
  const graph = await startCutGraph(
    3,
    [
      [0, 1],
      [1, 2],
    ],
    transport,
    overrides,
  );
  return {
    gateways: graph.gateways as [Gateway, Gateway, Gateway],
    cut12: graph.cutter(0, 1),
    cut23: graph.cutter(1, 2),
    converged: graph.converged,
    reportedLost: graph.reportedLost,
    stop: graph.stop,
  };
}
