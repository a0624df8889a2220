/**
 * A line of three real gateways, gw1–gw2–gw3, with a cutter (link-cutter.ts) on each link, so a
 * test can partition either link of a path and heal it (docs/loss.md). gw2 dials gw1 and gw3 dials
 * gw2, each through the cutter in front of the gateway it dials.
 */
import type { Gateway, GatewayConfig, TransportName } from '../../gateway';
import { tcpCutter, udpCutter, type LinkCutter } from './link-cutter';
import { startGateway, waitFor } from './mesh';

export interface CutLine {
  gateways: [Gateway, Gateway, Gateway];
  /** The link gw1–gw2. */
  cut12: LinkCutter;
  /** The link gw2–gw3. */
  cut23: LinkCutter;
  /** Wait until every gateway reaches the others over two-way links. */
  converged(timeoutMs?: number): Promise<void>;
  /** Sum over the three gateways of what they report given up for `dest` (net of retractions). */
  reportedLost(dest: string): Promise<number>;
  stop(): Promise<void>;
}

async function cutterIn(front: Gateway, transport: TransportName): Promise<LinkCutter> {
  const port = front.listeners.get(transport)!.port;
  return transport === 'tls' ? tcpCutter(port) : udpCutter(port);
}

function via(cutter: LinkCutter, transport: TransportName): GatewayConfig['meshPeers'][number] {
  const scheme = transport === 'tls' ? 'tls' : 'https';
  return { transport, host: '127.0.0.1', port: cutter.port, url: `${scheme}://127.0.0.1:${cutter.port}` };
}

export async function startCutLine(
  transport: TransportName,
  overrides: Partial<GatewayConfig> = {},
): Promise<CutLine> {
  const g1 = await startGateway('gw1', transport, overrides);
  const cut12 = await cutterIn(g1, transport);
  const g2 = await startGateway('gw2', transport, { ...overrides, meshPeers: [via(cut12, transport)] });
  const cut23 = await cutterIn(g2, transport);
  const g3 = await startGateway('gw3', transport, { ...overrides, meshPeers: [via(cut23, transport)] });
  const gateways: [Gateway, Gateway, Gateway] = [g1, g2, g3];
  return {
    gateways,
    cut12,
    cut23,
    converged: (timeoutMs = 20_000) =>
      waitFor(
        () =>
          gateways.every(
            (g) =>
              g.mesh.lsdb.links().length === 2 && gateways.every((o) => g.mesh.lsdb.reachable(o.gatewayId)),
          ),
        timeoutMs,
        'line convergence',
      ),
    async reportedLost(dest) {
      let n = 0;
      for (const g of gateways) n += lostIn(await scrape(g), dest);
      return n;
    },
    async stop() {
      for (const g of [g3, g2, g1]) await g.stop();
      await cut12.close();
      await cut23.close();
    },
  };
}

async function scrape(gw: Gateway): Promise<string> {
  const res = await fetch(`${gw.admin!.url}/metrics`);
  return res.text();
}

/** macula_mesh_lost_total for `dest` (all reasons) less macula_mesh_lost_retracted_total. */
export function lostIn(metrics: string, dest: string): number {
  let n = 0;
  for (const line of metrics.split('\n')) {
    const m = /^(macula_mesh_lost(?:_retracted)?_total)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || !m[2].includes(`dest="${dest}"`)) continue;
    n += m[1] === 'macula_mesh_lost_total' ? Number(m[3]) : -Number(m[3]);
  }
  return n;
}
