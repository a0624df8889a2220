/**
 * Gateway processes joined in a given graph, every link through a cutter relay on loopback
 * (test/helpers/link-cutter.ts), so a scenario can partition any link and heal it. For an edge
 * [a, b] with a < b, gateway b dials a through a cutter in front of a.
 */
import { tcpCutter, udpCutter, type LinkCutter } from '../../test/helpers/link-cutter';
import { lostIn } from '../../test/helpers/cut-line';
import { rssMb, stopServer } from '../gateway/processes';
import { getJson, pollUntil } from '../gateway/wait';
import { spawnGateway, type GatewayProcess } from './gateway-process';

export interface CutMesh {
  gateways: GatewayProcess[];
  /** The cutter of edge [a, b] (a < b). */
  cutter(a: number, b: number): LinkCutter;
  /** Until every gateway sees `links` two-way links. */
  converged(links: number, timeoutMs?: number): Promise<void>;
  /** What all gateways report given up toward gateway `dest` (lost less retracted). */
  reportedLost(dest: number): Promise<number>;
  /** What each gateway reports given up toward `dest`, by reason ("g1 held_expired 12, …"). */
  lossReasons(dest: number): Promise<string>;
  /** Peak RSS of the largest gateway so far, MB. */
  rssPeakMb(): number;
  stop(): Promise<void>;
}

export async function startCutMesh(
  n: number,
  edges: Array<[number, number]>,
  transport: 'quic' | 'tls',
  env: Record<string, string> = {},
): Promise<CutMesh> {
  const gateways: GatewayProcess[] = [];
  const cutters = new Map<string, LinkCutter>();
  const scheme = transport === 'quic' ? 'https' : 'tls';
  try {
    for (let i = 0; i < n; i++) {
      const peers: string[] = [];
      for (const [a, b] of edges.filter(([, b]) => b === i)) {
        const target = gateways[a].port;
        const cutter = transport === 'quic' ? await udpCutter(target) : await tcpCutter(target);
        cutters.set(`${a}-${b}`, cutter);
        peers.push(`${scheme}://127.0.0.1:${cutter.port}`);
      }
      gateways.push(await spawnGateway(`g${i + 1}`, { ...env, MESH_PEERS: peers.join(',') }));
    }
  } catch (err) {
    await Promise.all(gateways.map((g) => stopServer(g.proc, 1000)));
    throw err;
  }
  return {
    gateways,
    cutter: (a, b) => cutters.get(`${a}-${b}`)!,
    async converged(links, timeoutMs = 60_000) {
      for (const g of gateways)
        await pollUntil(
          `${g.id} to see ${links} links`,
          async () =>
            ((await getJson(`http://127.0.0.1:${g.adminPort}/api/topology`)) as { links: unknown[] }).links
              .length === links,
          timeoutMs,
        );
    },
    async reportedLost(dest) {
      let total = 0;
      for (const g of gateways) {
        const text = await (await fetch(`http://127.0.0.1:${g.adminPort}/metrics`)).text();
        total += lostIn(text, gateways[dest].id);
      }
      return total;
    },
    async lossReasons(dest) {
      const out: string[] = [];
      for (const g of gateways) {
        const text = await (await fetch(`http://127.0.0.1:${g.adminPort}/metrics`)).text();
        for (const m of text.matchAll(/^macula_mesh_lost(_retracted)?_total\{([^}]*)\} (\S+)$/gm)) {
          if (!m[2].includes(`dest="${gateways[dest].id}"`) || Number(m[3]) === 0) continue;
          const reason = m[1] ? 'retracted' : (/reason="([^"]*)"/.exec(m[2])?.[1] ?? '?');
          out.push(`${g.id} ${reason} ${m[3]}`);
        }
      }
      return out.join(', ');
    },
    rssPeakMb: () => Math.max(...gateways.map((g) => rssMb(g.proc.pid, 'VmHWM'))),
    async stop() {
      await Promise.all(gateways.map((g) => stopServer(g.proc)));
      for (const c of cutters.values()) await c.close();
    },
  };
}
