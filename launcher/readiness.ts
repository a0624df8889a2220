/**
 * Readiness checks of the local run: a gateway is ready when its admin `/ready` answers 200
 * (docs/protocol.md §5: listener up, configured peers tried), the mesh when every gateway reports a link
 * up to each planned neighbour (`/api/peers`), an app when its health `/ready` answers 200 (connected,
 * subscribed and registered: the same probe Kubernetes uses).
 */
import { LaunchError } from './errors';
import type { GatewayEndpoint } from './plan';

/**
 * A promise that rejects when `signal` aborts (how a readiness wait ends early because some child
 * died), and the function that removes its listener: one signal is shared by every wait of a run.
 */
function aborted(signal: AbortSignal): { promise: Promise<never>; dispose: () => void } {
  let fail = () => undefined as void;
  const promise = new Promise<never>((_, reject) => {
    fail = () => reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
  });
  promise.catch(() => undefined);
  if (signal.aborted) fail();
  else signal.addEventListener('abort', fail, { once: true });
  return { promise, dispose: () => signal.removeEventListener('abort', fail) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `probe` every `intervalMs` until it returns true; throws LaunchError with `what` after
 * `timeoutMs`, or the abort reason when `signal` aborts first.
 */
export async function pollUntil(
  what: string,
  probe: () => Promise<boolean>,
  opts: { timeoutMs: number; intervalMs?: number; signal: AbortSignal },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  const stop = aborted(opts.signal);
  try {
    for (;;) {
      if (await Promise.race([probe().catch(() => false), stop.promise])) return;
      if (Date.now() >= deadline)
        throw new LaunchError(`${what}: not ready after ${opts.timeoutMs / 1000} s`);
      await Promise.race([sleep(opts.intervalMs ?? 100), stop.promise]);
    }
  } finally {
    stop.dispose();
  }
}

export async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
  await res.arrayBuffer();
  return res.status === 200;
}

async function getJson<T>(url: string, token?: string): Promise<T> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(1000) });
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

interface PeersView {
  peers: { gateway_id: string | null; state: string }[];
}

/** Planned neighbours of `g` whose link its `/api/peers` reports up. */
export async function linksUp(g: GatewayEndpoint): Promise<string[]> {
  const view = await getJson<PeersView>(`${g.adminUrl}/api/peers`, g.adminToken);
  const up = new Set(view.peers.filter((p) => p.state === 'up').map((p) => p.gateway_id));
  return g.peers.filter((p) => up.has(p));
}

/**
 * Waits until every gateway has its planned links up. Each link counts once (both ends must see it);
 * `onProgress` hears the count whenever it changes.
 */
export async function waitForMesh(
  gateways: readonly GatewayEndpoint[],
  expectedLinks: number,
  opts: { timeoutMs: number; signal: AbortSignal; onProgress?: (up: number) => void },
): Promise<void> {
  let last = -1;
  await pollUntil(
    `mesh (${expectedLinks} links)`,
    async () => {
      const seen = await Promise.all(gateways.map(async (g) => ({ id: g.id, up: await linksUp(g) })));
      const bothEnds = new Set<string>();
      const ends = new Set(seen.flatMap((s) => s.up.map((p) => `${s.id}\u0000${p}`)));
      for (const end of ends) {
        const [a, b] = end.split('\u0000');
        if (ends.has(`${b}\u0000${a}`)) bothEnds.add([a, b].sort().join('\u0000'));
      }
      if (bothEnds.size !== last) opts.onProgress?.((last = bothEnds.size));
      return bothEnds.size >= expectedLinks;
    },
    { timeoutMs: opts.timeoutMs, intervalMs: 150, signal: opts.signal },
  );
}
