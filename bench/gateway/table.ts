/**
 * The result table: one row per figure, ours over QUIC and TLS next to NATS, the ratios, and the
 * issue 2 targets with pass/fail.
 */
import { median, type SystemResult } from './scenarios';

export interface Results {
  /** QUIC on the default stack: the targets apply to it. */
  quic: SystemResult;
  tls: SystemResult;
  nats: SystemResult;
  /** QUIC on the other stack (quinn), shown for comparison when the default is ngtcp2. */
  other?: SystemResult;
}

export interface Target {
  name: string;
  value: number;
  limit: number;
  kind: '>=' | '<=';
  pass: boolean;
}

type Pick = (r: SystemResult) => number;

const fmtInt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const fmtRatio = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const maxRss: Pick = (r) => Math.max(...r.rssMb);
const lost: Pick = (r) => r.oneServer.lost + r.twoServers.lost + r.naiveEach.lost + r.naiveThousandth.lost;
const tput1: Pick = (r) => r.oneServer.msgsPerSec;
const tput2: Pick = (r) => r.twoServers.msgsPerSec;
const naiveEach: Pick = (r) => r.naiveEach.msgsPerSec;
const naiveThousandth: Pick = (r) => r.naiveThousandth.msgsPerSec;
const rpcP50: Pick = (r) => r.rpc.p50Us;
const perRound = new Map<Pick, (r: SystemResult) => number[]>([
  [tput1, (r) => r.oneServer.perRound],
  [tput2, (r) => r.twoServers.perRound],
  [naiveEach, (r) => r.naiveEach.perRound],
  [naiveThousandth, (r) => r.naiveThousandth.perRound],
  [rpcP50, (r) => r.rpc.perRoundP50],
]);

/**
 * ours / NATS. Throughput and request/reply rounds ran back to back, so each round gives a paired
 * ratio and the median of those is steadier on a shared machine than the ratio of two medians.
 */
function ratio(ours: SystemResult, nats: SystemResult, pick: Pick): number {
  const rounds = perRound.get(pick);
  if (!rounds) return pick(ours) / pick(nats);
  const n = rounds(nats);
  return median(
    rounds(ours)
      .map((x, i) => x / n[i])
      .filter(Number.isFinite),
  );
}
const ROWS: Array<{ label: string; pick: Pick; unit: string; fmt: (n: number) => string; ratio: boolean }> = [
  {
    label: '(1) 1 pub → 1 sub, one server',
    pick: tput1,
    unit: 'msgs/s',
    fmt: fmtInt,
    ratio: true,
  },
  {
    label: '(2) pub on A → sub on B',
    pick: tput2,
    unit: 'msgs/s',
    fmt: fmtInt,
    ratio: true,
  },
  {
    label: '(5) naive loop, await every publish',
    pick: naiveEach,
    unit: 'msgs/s',
    fmt: fmtInt,
    ratio: true,
  },
  {
    label: '(5) naive loop, await every 1,000th',
    pick: naiveThousandth,
    unit: 'msgs/s',
    fmt: fmtInt,
    ratio: true,
  },
  { label: '(3) request/reply p50', pick: rpcP50, unit: 'µs', fmt: fmtInt, ratio: true },
  { label: '(3) request/reply p99', pick: (r) => r.rpc.p99Us, unit: 'µs', fmt: fmtInt, ratio: true },
  {
    label: '(3) server A context switches/call',
    pick: (r) => r.switchesPerCall,
    unit: '',
    fmt: (n) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a'),
    ratio: true,
  },
  {
    label: '(4) peak RSS, server A',
    pick: (r) => r.rssMb[0],
    unit: 'MB',
    fmt: (n) => n.toFixed(1),
    ratio: true,
  },
  {
    label: '(4) peak RSS, server B',
    pick: (r) => r.rssMb[1],
    unit: 'MB',
    fmt: (n) => n.toFixed(1),
    ratio: true,
  },
  {
    label: '    RSS at start (idle), server A',
    pick: (r) => r.startRssMb[0],
    unit: 'MB',
    fmt: (n) => n.toFixed(1),
    ratio: true,
  },
  {
    label: 'lost messages (1)+(2)+(5)',
    pick: lost,
    unit: '',
    fmt: fmtInt,
    ratio: false,
  },
  {
    label: 'failed client connects (retried)',
    pick: (r) => r.connectFailures,
    unit: '',
    fmt: fmtInt,
    ratio: false,
  },
];

type SystemKey = 'quic' | 'tls';

/** Issue 2 targets: [name, system, figure, compared to NATS?, kind, limit]. */
const TARGETS: Array<[string, SystemKey, Pick, boolean, '>=' | '<=', number]> = [
  ['QUIC (1) throughput ratio', 'quic', tput1, true, '>=', 0.5],
  ['QUIC (2) throughput ratio', 'quic', tput2, true, '>=', 0.5],
  ['QUIC RPC p50 ratio', 'quic', rpcP50, true, '<=', 1.5],
  ['QUIC gateway peak RSS (MB)', 'quic', maxRss, false, '<=', 150],
  ['TLS (1) throughput ratio', 'tls', tput1, true, '>=', 0.8],
  ['TLS (2) throughput ratio', 'tls', tput2, true, '>=', 0.8],
  // Issue 15: a naive loop against NATS flushing every 1,000th.
  ['QUIC (5) naive loop, await every publish, ratio', 'quic', naiveEach, true, '>=', 0.8],
  ['QUIC (5) naive loop, await every 1,000th, ratio', 'quic', naiveThousandth, true, '>=', 0.8],
  ['TLS (5) naive loop, await every publish, ratio', 'tls', naiveEach, true, '>=', 0.8],
  ['TLS (5) naive loop, await every 1,000th, ratio', 'tls', naiveThousandth, true, '>=', 0.8],
];

export function targets(res: Results): Target[] {
  const list = TARGETS.map(([name, key, pick, vsNats, kind, limit]): Target => {
    const value = vsNats ? ratio(res[key], res.nats, pick) : pick(res[key]);
    return { name, value, limit, kind, pass: kind === '>=' ? value >= limit : value <= limit };
  });
  // A scenario left out (--scenarios) has no figure: it is shown as not run, not as failed.
  const measured = list.filter((t) => Number.isFinite(t.value));
  const allLost = lost(res.quic) + lost(res.tls) + lost(res.nats) + (res.other ? lost(res.other) : 0);
  measured.push({
    name: 'lost messages, all systems',
    value: allLost,
    limit: 0,
    kind: '<=',
    pass: allLost === 0,
  });
  return measured;
}

function render(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]): string =>
    `| ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (c === 0 ? ':' : '-') + '-'.repeat(w) + (c === 0 ? '-' : ':')).join('|')}|`;
  return [line(rows[0]), rule, ...rows.slice(1).map(line)].join('\n');
}

export function formatTable(res: Results): string {
  const header = [
    'scenario',
    'unit',
    res.quic.label,
    res.tls.label,
    res.nats.label,
    'ratio QUIC/NATS',
    'ratio TLS/NATS',
    ...(res.other ? [res.other.label, 'ratio quinn/NATS'] : []),
  ];
  const body = ROWS.map((row) => {
    const [q, t, n] = [row.pick(res.quic), row.pick(res.tls), row.pick(res.nats)];
    const other = res.other;
    return [
      row.label,
      row.unit,
      row.fmt(q),
      row.fmt(t),
      row.fmt(n),
      row.ratio ? fmtRatio(ratio(res.quic, res.nats, row.pick)) : '',
      row.ratio ? fmtRatio(ratio(res.tls, res.nats, row.pick)) : '',
      ...(other
        ? [row.fmt(row.pick(other)), row.ratio ? fmtRatio(ratio(other, res.nats, row.pick)) : '']
        : []),
    ];
  });
  return render([header, ...body]);
}

export function formatTargets(list: Target[]): string {
  const rows = list.map((t) => [
    t.name,
    t.kind === '>=' ? `≥ ${t.limit}` : `≤ ${t.limit}`,
    !Number.isFinite(t.value) ? 'n/a' : Number.isInteger(t.value) ? String(t.value) : t.value.toFixed(2),
    t.pass ? 'pass' : 'FAIL',
  ]);
  return render([['target', 'needed', 'measured', 'result'], ...rows]);
}
