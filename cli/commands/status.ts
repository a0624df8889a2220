/**
 * `cortexiq status`: what a run of this folder is doing, from its state file and the live APIs:
 * each process alive and ready, each gateway's links (up, RTT, messages per second), and the read
 * side's ingest rate and lag. Rates are measured here over one second.
 */
import * as path from 'node:path';
import { CliError } from '../cli-error';
import { parseOptions } from '../parse-options';
import { readMetric } from '../../launcher/read-metric';
import { isAlive, liveRun, type RunState } from '../../launcher/run-state';

const USAGE = `usage: cortexiq status [--data-dir DIR] [--json]

  --data-dir DIR   the run's folder (default .cortexiq), as given to \`cortexiq up\`
  --json           one JSON document instead of the table
`;

const SAMPLE_MS = 1000;

interface PeerView {
  gateway_id: string | null;
  state: string;
  rtt_ms?: number | null;
  sent?: number;
  received?: number;
}

async function getJson<T>(url: string, token?: string): Promise<T | undefined> {
  try {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(2000) });
    return res.status === 200 ? ((await res.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}

async function ready(healthUrl: string | undefined): Promise<boolean | undefined> {
  if (!healthUrl) return undefined;
  try {
    return (await fetch(`${healthUrl}/ready`, { signal: AbortSignal.timeout(2000) })).status === 200;
  } catch {
    return false;
  }
}

export async function collect(state: RunState) {
  const peersOf = () =>
    Promise.all(
      state.gateways.map(async (g) => ({
        g,
        peers: (await getJson<{ peers: PeerView[] }>(`${g.adminUrl}/api/peers`, g.adminToken))?.peers,
      })),
    );
  const projections = state.processes.find((p) => p.name.endsWith('/projections'))?.healthUrl;
  const eventsBefore = await readMetric(projections, 'cortexiq_projection_events_total');
  const before = await peersOf();
  await new Promise((r) => setTimeout(r, SAMPLE_MS));
  const [after, eventsAfter, lag, processes] = await Promise.all([
    peersOf(),
    readMetric(projections, 'cortexiq_projection_events_total'),
    readMetric(projections, 'cortexiq_projection_lag_seconds'),
    Promise.all(
      state.processes.map(async (p) => ({
        name: p.name,
        pid: p.pid ?? null,
        alive: p.pid ? isAlive(p.pid) : null,
        ready: (await ready(p.healthUrl)) ?? null,
      })),
    ),
  ]);
  const gateways = after.map(({ g, peers }, i) => {
    const earlier = new Map((before[i]!.peers ?? []).map((p) => [p.gateway_id, p]));
    return {
      id: g.id,
      role: g.role,
      reachable: peers !== undefined,
      links: g.peers.map((peer) => {
        const now = peers?.find((p) => p.gateway_id === peer);
        const then = earlier.get(peer);
        const rate =
          now && then && now.sent !== undefined && then.sent !== undefined
            ? ((now.sent - then.sent + (now.received ?? 0) - (then.received ?? 0)) * 1000) / SAMPLE_MS
            : null;
        return { peer, up: now?.state === 'up', rtt_ms: now?.rtt_ms ?? null, msgs_per_s: rate };
      }),
    };
  });
  return {
    pid: state.pid,
    started_at: state.startedAt,
    phase: state.phase,
    dashboard: state.dashboardUrl ?? null,
    database: state.database ?? null,
    processes,
    gateways,
    read_side: {
      events_per_s:
        eventsBefore !== undefined && eventsAfter !== undefined
          ? ((eventsAfter - eventsBefore) * 1000) / SAMPLE_MS
          : null,
      lag_s: lag ?? null,
    },
  };
}

export async function run(args: string[]): Promise<void> {
  const values = parseOptions(
    args,
    {
      'data-dir': { type: 'string', default: '.cortexiq' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    USAGE,
  );
  if (values.help) return void process.stdout.write(USAGE);
  const dataDir = path.resolve(values['data-dir']!);
  const state = liveRun(dataDir);
  if (!state) throw new CliError(`no run in ${dataDir} (\`cortexiq up --detach\` starts one)`, 3);
  const s = await collect(state);
  if (values.json) return void process.stdout.write(JSON.stringify(s, null, 2) + '\n');
  const out: string[] = [
    `run in ${dataDir}: pid ${s.pid}, ${s.phase}, since ${s.started_at}`,
    ...(s.dashboard ? [`dashboard: ${s.dashboard}`] : []),
    ...(s.database ? [`database:  ${s.database}`] : []),
    'processes:',
    ...s.processes.map(
      (p) =>
        `  ${p.name.padEnd(28)} pid ${String(p.pid ?? '?').padEnd(7)} ${p.alive === false ? 'GONE' : 'alive'}` +
        (p.ready === null ? '' : p.ready ? ', ready' : ', NOT READY'),
    ),
    'links (rate = messages per second both ways):',
    ...s.gateways.flatMap((g) =>
      !g.reachable
        ? [`  ${g.id}: admin API not answering`]
        : g.links.map(
            (l) =>
              `  ${g.id.padEnd(17)} ↔ ${l.peer.padEnd(17)} ${l.up ? 'up  ' : 'DOWN'}` +
              (l.rtt_ms !== null ? `  rtt ${l.rtt_ms.toFixed(1)} ms` : '') +
              (l.msgs_per_s !== null ? `  ${Math.round(l.msgs_per_s)} msg/s` : ''),
          ),
    ),
    `read side: ${s.read_side.events_per_s === null ? 'no projections metrics' : `${Math.round(s.read_side.events_per_s)} events/s committed`}` +
      (s.read_side.lag_s === null ? '' : `, lag ${s.read_side.lag_s.toFixed(2)} s`),
  ];
  process.stdout.write(out.join('\n') + '\n');
}
