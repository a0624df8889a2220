/**
 * What `cortexiq up` prints about itself: one line per start step with the time since the command
 * began, and the summary of where everything is once the run is ready.
 */
import type { LocalPlan } from './plan';

export interface Out {
  write(text: string): unknown;
}

export class Progress {
  constructor(
    private readonly out: Out,
    readonly startedAt = Date.now(),
  ) {}

  elapsedMs(): number {
    return Date.now() - this.startedAt;
  }

  /** `[  2.4 s] text`: elapsed seconds in a fixed-width column so the steps line up. */
  step(text: string): void {
    const s = (this.elapsedMs() / 1000).toFixed(1).padStart(5);
    this.out.write(`[${s} s] ${text}\n`);
  }

  line(text = ''): void {
    this.out.write(`${text}\n`);
  }
}

export interface RunningProcess {
  name: string;
  pid: number | undefined;
  /** Apps: their health server (`/ready`, `/metrics`). */
  healthUrl?: string;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => '  ' + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
}

/** The summary printed once everything is ready. */
export function summaryLines(
  plan: LocalPlan,
  processes: readonly RunningProcess[],
  readyMs: number,
): string[] {
  const hub = plan.gateways.find((g) => g.role === 'hub') ?? plan.gateways[0]!;
  const gatewayRows = [
    ['gateway', 'client URL', 'admin', 'links'],
    ...plan.gateways.map((g) => [
      `${g.id} (${g.role === 'hub' ? 'hub' : (g.region ?? 'edge')})`,
      g.clientUrl,
      g.adminUrl,
      g.peers.join(', '),
    ]),
  ];
  const apps = processes.filter((p) => p.healthUrl);
  const appRows = [
    ['process', 'pid', 'health (/live, /ready, /metrics)'],
    ...apps.map((p) => [p.name, String(p.pid ?? '?'), p.healthUrl!]),
  ];
  const skipped = plan.skipped.map((s) => `${s.cluster}/${s.what} (${s.reason})`);
  return [
    '',
    ...(plan.dashboardUrl ? [`Dashboard: ${plan.dashboardUrl}`] : []),
    `CortexIQ mesh is up: ${processes.length} processes ready in ${(readyMs / 1000).toFixed(1)} s — realm ${plan.realm}, ` +
      `layout ${plan.layout} (${plan.links.length} links), transport ${plan.transport}`,
    ...table(gatewayRows),
    `  mesh graph:  ${hub.adminUrl}/api/topology   (also /api/peers, /api/subscriptions, /metrics on each admin URL)`,
    ...table(appRows),
    `  pids: ${processes.map((p) => `${p.name}=${p.pid ?? '?'}`).join(' ')}`,
    ...(plan.database
      ? [
          `  database: ${plan.database.description}` +
            (plan.database.embeddedDir ? `, data in ${plan.database.embeddedDir}` : ''),
        ]
      : []),
    ...(skipped.length > 0 ? [`  left out of this run: ${skipped.join('; ')}`] : []),
    (plan.netns
      ? '  network namespaces: each cluster in its own, its ports on its host-link address (this machine only); '
      : '  local only: every port is on 127.0.0.1; ') +
      'gateways use development identities and clients connect with ' +
      'MACULA_TLS_INSECURE=1; a fresh MESH_SECRET was ' +
      'generated for this run' +
      (plan.processes.some((p) => p.env.MACULA_TOKEN) ? '; the realm token is required' : '; no realm token'),
    '',
  ];
}
