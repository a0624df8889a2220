/**
 * Prometheus metrics of one app (docs/pulumi.md, App probes and metrics: scrape annotations point here). One
 * Registry per app instance, so several apps in one process (tests, bench) never mix their figures. Values
 * are read from the counters the apps already keep (TickStats, MalformedCounter, their state) at scrape time:
 * the hot paths stay free of metric calls.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { MalformedCounter } from './events';
import type { TickStats } from './tick-stats';

export class AppMetrics {
  readonly registry = new Registry();

  constructor(app: string, options: { processMetrics?: boolean } = {}) {
    this.registry.setDefaultLabels({ app });
    // Process metrics describe the whole process: only the process entry asks for them.
    if (options.processMetrics !== false)
      collectDefaultMetrics({ register: this.registry, prefix: 'cortexiq_' });
  }

  /** A gauge read at scrape time. */
  gauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** A counter whose total the app keeps; each scrape reports the current total. */
  counter(name: string, help: string, read: () => number): void {
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  }

  /**
   * The tick loop shared by homes and utilities: ticks handled, duration quantiles over the recent
   * window (whole tick and its synchronous CPU part), events published, malformed events ignored.
   */
  tickLoop(stats: TickStats, malformed: MalformedCounter): void {
    this.counter(
      'cortexiq_ticks_total',
      'Clock ticks processed since start or the last stats reset',
      () => stats.ticks,
    );
    this.counter(
      'cortexiq_events_published_total',
      'Events handed to the gateway client',
      () => stats.summary().published,
    );
    this.counter(
      'cortexiq_malformed_events_total',
      'Incoming events ignored because they failed their schema',
      () => malformed.total,
    );
    const quantiles = (name: string, help: string, read: () => Record<string, number>) =>
      new Gauge({
        name,
        help,
        labelNames: ['quantile'],
        registers: [this.registry],
        collect() {
          this.reset();
          for (const [q, ms] of Object.entries(read())) this.set({ quantile: q }, ms / 1000);
        },
      });
    quantiles(
      'cortexiq_tick_duration_seconds',
      'Tick processing time, receipt to every publication handed over (recent ticks)',
      () => {
        const s = stats.summary();
        return { '0.5': s.p50Ms, '0.99': s.p99Ms, '1': s.maxMs };
      },
    );
    quantiles(
      'cortexiq_tick_cpu_seconds',
      'Synchronous part of a tick: model and payloads (recent ticks)',
      () => ({
        '0.99': stats.summary().cpuP99Ms,
      }),
    );
  }

  /** The exposition text (what `/metrics` serves). */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
