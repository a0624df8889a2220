/**
 * What the durable log costs (docs/loss.md "Durable subscriptions across a crash"): a durable
 * subscriber at gateway k1 receives a stream published at k2 (k2 dials k1), as fast as the
 * subscriber takes it, with and without GATEWAY_DATA_DIR at k1. With the log, k1 writes every event
 * and acknowledges k2's link only once a batch is on disk. Reports the subscriber's rate and k1's CPU.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type GatewayClient } from '../../gateway/client';
import { stopServer } from '../gateway/processes';
import { metric, REALM, spawnGateway, type GatewayProcess } from './gateway-process';
import { cpuSeconds } from './slow-consumer';

const TOPIC = 'be.cortexiq.bench.durable';
/** The publisher runs at most this far ahead of the subscriber (both share this process). */
const WINDOW = 20_000;

export interface DurableCost {
  rate: number;
  missed: number;
  gatewayCpuS: number;
  commits: number;
}

export async function durableCost(messages: number, withLog: boolean): Promise<DurableCost> {
  const dir = mkdtempSync(join(tmpdir(), 'cortexiq-durable-cost-'));
  const gateways: GatewayProcess[] = [];
  const clients: GatewayClient[] = [];
  try {
    const k1 = await spawnGateway('k1', withLog ? { GATEWAY_DATA_DIR: dir } : {});
    gateways.push(k1);
    gateways.push(await spawnGateway('k2', { MESH_PEERS: k1.url('quic') }));
    const open = async (g: GatewayProcess, name: string): Promise<GatewayClient> => {
      const c = await connect({ url: g.url('quic'), realm: REALM, insecure: true, clientId: name });
      clients.push(c);
      return c;
    };
    let count = 0;
    let first = 0;
    let last = 0;
    const sub = await open(k1, 'durable-sub');
    await sub.subscribe<Uint8Array>(
      TOPIC,
      (p) => {
        if (p.length !== 200) return; // the warm-up
        if (count++ === 0) first = Date.now();
        last = Date.now();
      },
      { durable: 'bench-durable-cost' },
    );
    const pub = await open(gateways[1], 'publisher');
    const payload = new Uint8Array(200).fill(7);
    // Until k2 has learned k1's interest (an event arrives).
    let warm = false;
    await sub.subscribe('be.cortexiq.bench.warm', () => void (warm = true));
    for (let i = 0; i < 200 && !warm; i++) {
      await pub.publish('be.cortexiq.bench.warm', 1, { ack: true });
      await new Promise((r) => setTimeout(r, 50));
    }
    const cpuBefore = cpuSeconds(k1.proc.pid);
    for (let n = 0; n < messages; n++) {
      while (n - count > WINDOW) await new Promise((r) => setTimeout(r, 1));
      await pub.publish(TOPIC, payload);
    }
    await pub.flush();
    let seen = -1;
    let stillSince = Date.now();
    while (count < messages && Date.now() - stillSince < 5000) {
      if (count !== seen) [seen, stillSince] = [count, Date.now()];
      await new Promise((r) => setTimeout(r, 50));
    }
    return {
      rate: Math.round((count - 1) / Math.max(0.001, (last - first) / 1000)),
      missed: messages - count,
      gatewayCpuS: Math.round((cpuSeconds(k1.proc.pid) - cpuBefore) * 10) / 10,
      commits: await metric(k1, 'macula_durable_log_commits_total'),
    };
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await Promise.all(gateways.map((g) => stopServer(g.proc)));
    rmSync(dir, { recursive: true, force: true });
  }
}
