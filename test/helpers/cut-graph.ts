/**
 * Real gateways in one process, joined in a given graph with a cutter (link-cutter.ts) on every
 * link, so a test can partition any link and heal it (docs/loss.md). For an edge [a, b] with
 * a < b, gateway b dials a through a cutter in front of a. Gateways are named `${prefix}${i + 1}`.
 */
import type { Gateway, GatewayConfig, TransportName } from '../../gateway';
import { tcpCutter, udpCutter, type LinkCutter } from './link-cutter';
import { startGateway, waitFor } from './mesh';

export interface CutGraph {
  gateways: Gateway[];
  edges: Array<[number, number]>;
  /** The cutter of edge [a, b] (a < b). */
  cutter(a: number, b: number): LinkCutter;
  /** Cut [a, b] and wait until both ends have dropped the link. */
  cutAndWait(a: number, b: number, timeoutMs?: number): Promise<void>;
  /** Wait until every gateway sees every edge and reaches every other gateway. */
  converged(timeoutMs?: number): Promise<void>;
  /** Sum over all gateways of what they report given up for `dest` (net of retractions). */
  reportedLost(dest: string): Promise<number>;
  stop(): Promise<void>;
}

export async function startCutGraph(
  n: number,
  edges: Array<[number, number]>,
  transport: TransportName,
  overrides: Partial<GatewayConfig> = {},
  prefix = 'gw',
): Promise<CutGraph> {
  const gateways: Gateway[] = [];
  const cutters = new Map<string, LinkCutter>();
  const scheme = transport === 'tls' ? 'tls' : 'https';
  for (let i = 0; i < n; i++) {
    const peers: GatewayConfig['meshPeers'] = [];
    for (const [a] of edges.filter(([, b]) => b === i)) {
      const port = gateways[a].listeners.get(transport)!.port;
      const cutter = transport === 'tls' ? await tcpCutter(port) : await udpCutter(port);
      cutters.set(`${a}-${i}`, cutter);
      peers.push({
        transport,
        host: '127.0.0.1',
        port: cutter.port,
        url: `${scheme}://127.0.0.1:${cutter.port}`,
      });
    }
    gateways.push(await startGateway(`${prefix}${i + 1}`, transport, { ...overrides, meshPeers: peers }));
  }
  const linkUp = (a: Gateway, b: Gateway): boolean => a.mesh.links.get(b.gatewayId)?.connected === true;
  return {
    gateways,
    edges,
    cutter: (a, b) => cutters.get(`${a}-${b}`)!,
    async cutAndWait(a, b, timeoutMs = 20_000) {
      cutters.get(`${a}-${b}`)!.cut();
      const [ga, gb] = [gateways[a], gateways[b]];
      await waitFor(
        () => !linkUp(ga, gb) && !linkUp(gb, ga),
        timeoutMs,
        `link ${ga.gatewayId}–${gb.gatewayId} down`,
      );
    },
    converged: (timeoutMs = 30_000) =>
      waitFor(
        () =>
          gateways.every(
            (g) =>
              g.mesh.lsdb.links().length === edges.length &&
              gateways.every((o) => g.mesh.lsdb.reachable(o.gatewayId)),
          ),
        timeoutMs,
        'convergence',
      ),
    async reportedLost(dest) {
      let total = 0;
      for (const g of gateways) total += lostIn(await (await fetch(`${g.admin!.url}/metrics`)).text(), dest);
      return total;
    },
    async stop() {
      for (const g of [...gateways].reverse()) await g.stop();
      for (const c of cutters.values()) await c.close();
    },
  };
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
