/**
 * Runs a LocalPlan: checks the ports, starts the stages in order and waits for each
 * to be ready (gateways, then the mesh links, then the apps), shows child logs, and stops everything
 * in reverse order with a bounded wait (docs/local-run.md). A child that exits while starting, or a
 * gateway or the database at any time, is a failure of the whole run: a partial mesh would only
 * mislead. An app that crashes once the run is ready is restarted with backoff, and the log says so.
 */
import { Child } from './child';
import { LaunchError } from './errors';
import { formatChildLine, InfoSummary, isLoud, parseChildLine } from './log-format';
import { OVERLAPS_NEXT, stagesOf, type LocalPlan, type ProcessSpec } from './plan';
import { assertPortsFree, ephemeralWarning } from './ports';
import { Progress, summaryLines, type Out } from './progress';
import { httpOk, pollUntil, waitForMesh } from './readiness';

export interface LaunchOptions {
  out: Out;
  /** Print every info line instead of a periodic summary. */
  verbose?: boolean;
  /** Period of the info summary (default 30 s). */
  summaryEveryMs?: number;
  /** How long a child has after SIGTERM before SIGKILL (default 5 s). */
  stopGraceMs?: number;
  /** First wait before restarting a crashed app, doubled per crash up to 30 s (default 1 s). */
  restartBackoffMs?: number;
  /** When the command began, so the times shown include loading the stack (default now). */
  startedAt?: number;
  /** Aborting it (Ctrl-C while starting) stops what has started and rejects with the abort reason. */
  signal?: AbortSignal;
  /**
   * What the gateways need before they start (their kept identities, made on a first run), so it
   * is made while the database initialises instead of before everything.
   */
  gatewaysNeed?: Promise<unknown>;
}

export interface StopReport {
  stopped: string[];
  killed: string[];
}

function describeExit(child: Child, when: string): LaunchError {
  const e = child.exit!;
  const how = e.signal ? `was killed by ${e.signal}` : `exited with code ${e.code}`;
  const last = child.lastLines().map((l) => `    | ${parseChildLine(l, 'stderr').text}`);
  const tail = last.length > 0 ? `; its last output:\n${last.join('\n')}` : ' without any output';
  return new LaunchError(`${child.name} ${how} ${when}${tail}`, child.name);
}

export class LocalRun {
  readonly children: Child[] = [];
  /** Milliseconds from `startedAt` until every process was ready. */
  readyMs = 0;
  /** Resolves with the failure when a child exits on its own after the run was ready. */
  readonly failed: Promise<LaunchError>;
  private stopping = false;
  /**
   * Gateway warnings until the mesh is up. The four gateways start together, so dials to a peer that
   * does not listen yet fail and retry: expected, and shown only if the mesh then fails to come up.
   */
  private held: string[] | undefined = [];
  private ready = false;
  private readonly failure = new AbortController();
  private readonly progress: Progress;
  private readonly info = new InfoSummary();
  private summaryTimer: NodeJS.Timeout | undefined;
  private readonly killAll = () => this.children.forEach((c) => c.kill());
  private resolveFailed!: (err: LaunchError) => void;
  /** Restarts so far per app, and the pending restart timers (cleared at stop). */
  readonly restarts = new Map<string, number>();
  private readonly restartTimers = new Set<NodeJS.Timeout>();
  private readonly stopped = new AbortController();

  private constructor(
    readonly plan: LocalPlan,
    private readonly opts: LaunchOptions,
  ) {
    this.progress = new Progress(opts.out, opts.startedAt);
    this.failed = new Promise((resolve) => (this.resolveFailed = resolve));
  }

  /** Starts the plan; on any failure everything started is stopped before the LaunchError is thrown. */
  static async start(plan: LocalPlan, opts: LaunchOptions): Promise<LocalRun> {
    const run = new LocalRun(plan, opts);
    try {
      await run.startAll();
    } catch (err) {
      // Held warnings may explain a failure; after an interruption they are only the noise of stopping.
      if (!opts.signal?.aborted) for (const line of run.held ?? []) opts.out.write(line + '\n');
      const reason = run.failure.signal.aborted ? run.failure.signal.reason : err;
      await run.stop();
      throw reason;
    }
    return run;
  }

  private async startAll(): Promise<void> {
    const outer = this.opts.signal;
    if (outer) {
      const interrupt = () => this.failure.abort(outer.reason);
      if (outer.aborted) interrupt();
      else outer.addEventListener('abort', interrupt, { once: true });
    }
    await assertPortsFree(this.plan.ports);
    if (this.failure.signal.aborted) throw this.failure.signal.reason;
    if (this.plan.ports.length > 0)
      this.progress.step(`ports free: ${this.plan.ports.map((p) => p.port).join(', ')}`);
    const risky = ephemeralWarning(this.plan.ports);
    if (risky) this.progress.step(`note: ${risky}`);
    process.once('exit', this.killAll); // last resort: never leave children behind
    const every = this.opts.summaryEveryMs ?? 30_000;
    this.summaryTimer = setInterval(() => this.flushInfo(`(last ${every / 1000} s)`), every).unref();

    // A stage in OVERLAPS_NEXT starts, and the next one starts beside it without waiting; the
    // stage after that waits for both. So initdb runs while the gateways start and form the mesh.
    let overlapping: Promise<void>[] = [];
    for (const { stage, processes } of stagesOf(this.plan)) {
      if (stage === 'gateways' && this.opts.gatewaysNeed) {
        await this.opts.gatewaysNeed;
        if (this.failure.signal.aborted) throw this.failure.signal.reason;
      }
      this.progress.step(`starting ${stage}: ${processes.map((p) => p.name).join(', ')}`);
      const started = Promise.all(processes.map((spec) => this.startOne(spec))).then(() =>
        stage === 'gateways' ? this.waitForMesh() : undefined,
      );
      overlapping.push(started);
      if (OVERLAPS_NEXT.has(stage)) continue;
      await Promise.all(overlapping);
      overlapping = [];
    }
    await Promise.all(overlapping);
    this.readyMs = this.progress.elapsedMs();
    this.ready = true;
    for (const line of summaryLines(
      this.plan,
      this.children.map((c) => ({ name: c.name, pid: c.pid, healthUrl: c.spec.healthUrl })),
      this.readyMs,
    ))
      this.progress.line(line);
  }

  private spawn(spec: ProcessSpec): Child {
    const child = new Child(spec);
    const i = this.children.findIndex((c) => c.name === spec.name);
    if (i >= 0) this.children[i] = child;
    else this.children.push(child);
    child.onLine((line, stream) => this.show(child, line, stream));
    const startedAt = Date.now();
    void child.exited.then(() => {
      if (this.stopping) return;
      if (this.ready && spec.kind === 'app') return this.restartLater(child, Date.now() - startedAt);
      const err = describeExit(child, this.ready ? 'after the run was ready' : 'while starting');
      if (this.ready) this.resolveFailed(err);
      else this.failure.abort(err);
    });
    return child;
  }

  /**
   * An app died after the run was ready: say so, and start it again after a backoff that doubles
   * per crash (reset once it has stayed up for a minute), so a crash loop does not spin.
   */
  private restartLater(child: Child, upMs: number): void {
    const n = upMs > 60_000 ? 1 : (this.restarts.get(child.name) ?? 0) + 1;
    this.restarts.set(child.name, n);
    const wait = Math.min(30_000, (this.opts.restartBackoffMs ?? 1000) * 2 ** (n - 1));
    const e = child.exit!;
    const how = e.signal ? `was killed by ${e.signal}` : `exited with code ${e.code}`;
    const last = child.lastLines(3).map((l) => `    | ${parseChildLine(l, 'stderr').text}`);
    this.opts.out.write(
      `${child.name} ${how}; restarting it in ${(wait / 1000).toFixed(1)} s (restart ${n})` +
        (last.length > 0 ? `; its last output:\n${last.join('\n')}` : '') +
        '\n',
    );
    const timer = setTimeout(() => {
      this.restartTimers.delete(timer);
      if (this.stopping) return;
      const again = this.spawn(child.spec);
      void pollUntil(child.name, () => httpOk(child.spec.ready.url), {
        timeoutMs: child.spec.readyTimeoutMs,
        signal: this.stopped.signal,
      }).then(
        () => this.opts.out.write(`${child.name} is back (pid ${again.pid})\n`),
        () => undefined, // a second crash is reported by its own exit
      );
    }, wait);
    this.restartTimers.add(timer);
  }

  private async startOne(spec: ProcessSpec): Promise<void> {
    const child = this.spawn(spec);
    const url = spec.ready.url;
    await pollUntil(spec.name, () => httpOk(url), {
      timeoutMs: spec.readyTimeoutMs,
      signal: this.failure.signal,
    });
    const where =
      spec.kind === 'gateway'
        ? ` port ${spec.env.MACULA_GATEWAY_PORT}, admin ${spec.env.ADMIN_PORT},`
        : spec.kind === 'database'
          ? ` port ${spec.env.PGPORT}, health ${spec.env.HEALTH_PORT},`
          : ` health ${spec.env.HEALTH_PORT},`;
    this.progress.step(`ready  ${spec.name}${where} pid ${child.pid}`);
  }

  private async waitForMesh(): Promise<void> {
    const expected = this.plan.links.length;
    if (expected === 0) {
      this.held = undefined;
      return this.progress.step('mesh: no links in this stack (one gateway)');
    }
    await waitForMesh(this.plan.gateways, expected, {
      timeoutMs: 20_000,
      signal: this.failure.signal,
      onProgress: (up) => {
        if (up < expected) this.progress.step(`mesh ${this.plan.layout}: ${up}/${expected} links up`);
      },
    });
    this.progress.step(`ready  mesh ${this.plan.layout}: ${expected}/${expected} links up`);
    const held = this.held!.length;
    this.held = undefined;
    if (held > 0) {
      this.progress.step(
        `(${held} gateway warning${held > 1 ? 's' : ''} while peers were starting — dials before a peer listened; --verbose shows them)`,
      );
    }
  }

  private show(child: Child, raw: string, stream: 'stdout' | 'stderr'): void {
    if (raw.trim() === '') return;
    const line = parseChildLine(raw, stream);
    // While stopping, every gateway warns that its links went down: expected, so only errors show.
    const loud = this.stopping ? line.level === 'error' || line.level === 'fatal' : isLoud(line.level);
    if (loud && line.level === 'warn' && this.held && child.spec.kind === 'gateway' && !this.opts.verbose) {
      this.held.push(formatChildLine(child.name, line));
    } else if (loud || this.opts.verbose) this.opts.out.write(formatChildLine(child.name, line) + '\n');
    else this.info.add(child.name, line.message);
  }

  private flushInfo(label: string): void {
    const text = this.info.take(label);
    if (text) this.progress.line(text);
  }

  /** Stops apps before gateways (so apps do not log their gateway vanishing), each stage in parallel. */
  async stop(): Promise<StopReport> {
    const report: StopReport = { stopped: [], killed: [] };
    if (this.stopping) return report;
    this.stopping = true;
    clearInterval(this.summaryTimer);
    for (const t of this.restartTimers) clearTimeout(t);
    this.stopped.abort(new LaunchError('stopping'));
    const grace = this.opts.stopGraceMs ?? 5000;
    for (const { processes } of stagesOf(this.plan).reverse()) {
      const names = new Set(processes.map((p) => p.name));
      await Promise.all(
        this.children
          .filter((c) => names.has(c.name))
          .map(async (c) => {
            const how = await c.stop(grace);
            if (how === 'killed') report.killed.push(c.name);
            else if (how === 'stopped') report.stopped.push(c.name);
          }),
      );
    }
    process.off('exit', this.killAll);
    this.flushInfo('(until stop)');
    return report;
  }

  /** Second Ctrl-C: no more waiting. */
  killNow(): void {
    this.killAll();
  }
}
