/**
 * Runs a LocalPlan (gateway.md §6): checks the ports, starts the stages in order and waits for each
 * to be ready (gateways, then the mesh links, then the apps), shows child logs, and stops everything
 * in reverse order with a bounded wait. Any child that exits on its own — while starting or later —
 * is a failure of the whole run: a partial mesh would only mislead.
 */
import { Child } from './child';
import { LaunchError } from './errors';
import { formatChildLine, InfoSummary, isLoud, parseChildLine } from './log-format';
import { stagesOf, type LocalPlan, type ProcessSpec } from './plan';
import { assertPortsFree } from './ports';
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
  /** When the command began, so the times shown include loading the stack (default now). */
  startedAt?: number;
  /** Aborting it (Ctrl-C while starting) stops what has started and rejects with the abort reason. */
  signal?: AbortSignal;
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
    process.once('exit', this.killAll); // last resort: never leave children behind
    const every = this.opts.summaryEveryMs ?? 30_000;
    this.summaryTimer = setInterval(() => this.flushInfo(`(last ${every / 1000} s)`), every).unref();

    for (const { stage, processes } of stagesOf(this.plan)) {
      this.progress.step(`starting ${stage}: ${processes.map((p) => p.name).join(', ')}`);
      await Promise.all(processes.map((spec) => this.startOne(spec)));
      if (stage === 'gateways') await this.waitForMesh();
    }
    this.readyMs = this.progress.elapsedMs();
    this.ready = true;
    for (const line of summaryLines(
      this.plan,
      this.children.map((c) => ({ name: c.name, pid: c.pid, healthUrl: c.spec.healthUrl })),
      this.readyMs,
    ))
      this.progress.line(line);
  }

  private async startOne(spec: ProcessSpec): Promise<void> {
    const child = new Child(spec);
    this.children.push(child);
    child.onLine((line, stream) => this.show(child, line, stream));
    void child.exited.then(() => {
      if (this.stopping) return;
      const err = describeExit(child, this.ready ? 'after the run was ready' : 'while starting');
      if (this.ready) this.resolveFailed(err);
      else this.failure.abort(err);
    });
    const url = spec.ready.url;
    await pollUntil(spec.name, () => httpOk(url), {
      timeoutMs: spec.readyTimeoutMs,
      signal: this.failure.signal,
    });
    const where =
      spec.kind === 'gateway'
        ? ` port ${spec.env.MACULA_GATEWAY_PORT}, admin ${spec.env.ADMIN_PORT},`
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
