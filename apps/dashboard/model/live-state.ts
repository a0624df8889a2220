/**
 * The dashboard's live view model: pure reducers from the contract's events (already validated) to
 * what the pages show. The server keeps one LiveState, sends it whole to a browser that connects and
 * then only the parts an event changed (`Part`).
 */
import type { z } from 'zod';
import type {
  cityMeasuredSchema,
  ClockStatus,
  HomeInitialized,
  historyUpdatedSchema,
  metricsThroughputSchema,
  Overview,
  providerMetricsCalculatedSchema,
  RegionSummary,
  StateChanged,
  TimeAdvanced,
  totalsCalculatedSchema,
  WeatherDay,
} from '../../shared/contract';
import { REGIONS, type Region } from '../../shared/env';
import { HomeLocations, type LocationView } from './locations';
import { PARTS, type Part } from './parts';
import { BoundedTable } from './series';

export type { LocationView, Part };

type Totals = z.output<typeof totalsCalculatedSchema>;
type History = z.output<typeof historyUpdatedSchema>;
type Throughput = z.output<typeof metricsThroughputSchema>;
type ProviderMetrics = z.output<typeof providerMetricsCalculatedSchema>;
type Cities = z.output<typeof cityMeasuredSchema>;

/** Real ms for which a totals aggregate counts as fresher than the queries' overview. */
export const TOTALS_FRESH_MS = 3000;

/** Points kept per chart: a day at one tick a second is far more than a chart can show. */
export const CHART_POINTS = 600;

export const HISTORY_KEYS = ['production_w', 'consumption_w', 'avg_battery_pct'] as const;
export const PRICE_KEYS = ['eur_per_kwh'] as const;
export const THROUGHPUT_KEYS = ['events_per_s', 'measurements_per_s', 'projection_lag_ms'] as const;

export interface ClockView {
  simulation_time: string | null;
  speed: number | null;
  paused: boolean | null;
  tick: number | null;
  /** Whether the sun is up in Belgium at the simulated time (for the day/night mark). */
  is_day: boolean | null;
  day_ahead_eur_per_kwh: number | null;
  /** Today's weather per region (the simulated day of `simulation_time`). */
  weather: WeatherDay[];
}

export interface RegionFigures {
  region: Region;
  homes: number;
  connected_homes: number | null;
  production_w: number;
  consumption_w: number;
  avg_bill_eur_per_month: number | null;
  /** Real ms of the last update, so the map can say how fresh a figure is. */
  updated_at: number | null;
}

export const EMPTY_OVERVIEW: Overview = {
  simulation_time: null,
  speed: null,
  paused: null,
  total_homes: 0,
  connected_homes: 0,
  production_w: 0,
  consumption_w: 0,
  avg_battery_pct: 0,
  energy_bought_kwh: 0,
  energy_sold_kwh: 0,
  cost_eur: 0,
  revenue_eur: 0,
  net_balance_eur: 0,
  contract_switches: 0,
  customer_savings_eur: 0,
  commission_eur: 0,
  day_ahead_eur_per_kwh: null,
};

/**
 * Sine of the sun's elevation at Brussels (50.85 N, 4.35 E) from the declination and the hour
 * angle, the same geometry as the homes' clear-sky curve (docs/domain.md, "Solar").
 */
export function sunElevationSine(ms: number): number {
  const d = new Date(ms);
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  const dayOfYear = Math.floor((ms - start) / 86_400_000) + 1;
  const decl = ((23.44 * Math.PI) / 180) * Math.sin(((2 * Math.PI) / 365) * (dayOfYear - 81));
  const solarHours = d.getUTCHours() + d.getUTCMinutes() / 60 + 4.35 / 15;
  const hourAngle = ((solarHours - 12) * 15 * Math.PI) / 180;
  const lat = (50.85 * Math.PI) / 180;
  return Math.sin(lat) * Math.sin(decl) + Math.cos(lat) * Math.cos(decl) * Math.cos(hourAngle);
}

/** Day or night in Belgium: the sun above the horizon at Brussels. */
export function isDaylight(ms: number): boolean {
  return sunElevationSine(ms) > 0;
}

export class LiveState {
  overview: Overview = { ...EMPTY_OVERVIEW };
  clock: ClockView = {
    simulation_time: null,
    speed: null,
    paused: null,
    tick: null,
    is_day: null,
    day_ahead_eur_per_kwh: null,
    weather: [],
  };
  readonly history = new BoundedTable(HISTORY_KEYS, CHART_POINTS);
  /** Day-ahead price per simulated hour, as the ticks carry them. */
  readonly prices = new BoundedTable(PRICE_KEYS, CHART_POINTS);
  readonly throughput = new BoundedTable(THROUGHPUT_KEYS, CHART_POINTS);
  providers: ProviderMetrics['providers'] = [];
  regions: RegionFigures[] = REGIONS.map((region) => emptyRegion(region));
  /** Real ms of the last totals aggregate. */
  private totalsAt = -Infinity;
  private readonly places = new HomeLocations();
  /** Day-ahead price per simulated hour (epoch ms of the hour), the last 48 hours seen. */
  private readonly hourPrices = new Map<number, number>();

  constructor(private readonly now: () => number = Date.now) {}

  timeAdvanced(e: TimeAdvanced): Part[] {
    const t = Date.parse(e.simulation_time);
    for (const p of e.prices) this.hourPrices.set(Date.parse(p.hour), p.eur_per_kwh);
    for (const h of [...this.hourPrices.keys()]) if (h < t - 48 * 3_600_000) this.hourPrices.delete(h);
    const hour = Math.floor(t / 3_600_000) * 3_600_000;
    const price = this.hourPrices.get(hour) ?? this.clock.day_ahead_eur_per_kwh;
    const today = e.simulation_time.slice(0, 10);
    const weather = e.weather.filter((w) => w.date === today);
    this.clock = {
      simulation_time: e.simulation_time,
      speed: e.speed,
      paused: e.paused,
      tick: e.tick,
      is_day: isDaylight(t),
      day_ahead_eur_per_kwh: price ?? null,
      weather: weather.length > 0 ? weather : this.clock.weather,
    };
    this.overview = {
      ...this.overview,
      simulation_time: e.simulation_time,
      speed: e.speed,
      paused: e.paused,
      day_ahead_eur_per_kwh: price ?? null,
    };
    const parts: Part[] = ['clock', 'overview'];
    if (this.marketPrices(e.prices).length > 0) parts.push('prices');
    return parts;
  }

  /** Hourly day-ahead prices, from a tick or from `get_market_prices` at start. */
  marketPrices(prices: ReadonlyArray<{ hour: string; eur_per_kwh: number }>): Part[] {
    let changed = false;
    for (const p of prices)
      changed = this.prices.push(Date.parse(p.hour), { eur_per_kwh: p.eur_per_kwh }) || changed;
    return changed ? ['prices'] : [];
  }

  stateChanged(e: StateChanged): Part[] {
    this.clock = { ...this.clock, speed: e.speed, paused: e.paused };
    this.overview = { ...this.overview, speed: e.speed, paused: e.paused };
    return ['clock', 'overview'];
  }

  /** A clock RPC answered (a control was used): its state, before the event arrives. */
  clockAnswered(c: ClockStatus): Part[] {
    this.clock = {
      ...this.clock,
      speed: c.speed,
      paused: c.paused,
      tick: c.tick,
      simulation_time: c.simulation_time,
    };
    this.overview = {
      ...this.overview,
      speed: c.speed,
      paused: c.paused,
      simulation_time: c.simulation_time,
    };
    return ['clock', 'overview'];
  }

  /** `simulation.reset`: the world starts over, so do the charts. */
  reset(newStart: string): Part[] {
    this.history.clear();
    this.throughput.clear();
    this.prices.clear();
    this.hourPrices.clear();
    this.overview = { ...EMPTY_OVERVIEW, speed: this.overview.speed, paused: this.overview.paused };
    this.overview.simulation_time = newStart;
    this.clock = {
      ...this.clock,
      simulation_time: newStart,
      tick: 0,
      is_day: isDaylight(Date.parse(newStart)),
    };
    this.regions = REGIONS.map((region) => emptyRegion(region));
    return ['overview', 'clock', 'history', 'prices', 'throughput', 'regions'];
  }

  totals(e: Totals): Part[] {
    const { event_id: _id, simulation_time, ...figures } = e;
    this.overview = { ...this.overview, ...figures };
    this.totalsAt = this.now();
    const parts: Part[] = ['overview'];
    if (
      this.history.push(Date.parse(simulation_time), {
        production_w: e.production_w,
        consumption_w: e.consumption_w,
        avg_battery_pct: e.avg_battery_pct,
      })
    )
      parts.push('history');
    return parts;
  }

  /** The projections' own history (2 s) fills what the browser missed, e.g. after a restart. */
  historyUpdated(e: History): Part[] {
    let changed = false;
    const points = [...e.points].sort(
      (a, b) => Date.parse(a.simulation_time) - Date.parse(b.simulation_time),
    );
    const newest = this.history.length > 0 ? this.history.toJSON().t.at(-1)! : -Infinity;
    for (const p of points) {
      const t = Date.parse(p.simulation_time);
      if (t <= newest) continue;
      changed =
        this.history.push(t, {
          production_w: p.production_w,
          consumption_w: p.consumption_w,
          avg_battery_pct: p.avg_battery_pct,
        }) || changed;
    }
    return changed ? ['history'] : [];
  }

  throughputMeasured(e: Throughput): Part[] {
    this.throughput.push(Date.parse(e.simulation_time), e);
    return ['throughput'];
  }

  providerMetrics(e: ProviderMetrics): Part[] {
    this.providers = [...e.providers].sort((a, b) => a.rank - b.rank);
    return ['providers'];
  }

  /** `city.measured` (5 s): per-region production and consumption for the map. */
  cities(e: Cities): Part[] {
    const at = this.now();
    this.regions = this.regions.map((r) => {
      const mine = e.cities.filter((c) => c.region === r.region);
      if (mine.length === 0) return r;
      return {
        ...r,
        homes: mine.reduce((s, c) => s + c.homes, 0),
        production_w: mine.reduce((s, c) => s + c.production_w, 0),
        consumption_w: mine.reduce((s, c) => s + c.consumption_w, 0),
        updated_at: at,
      };
    });
    return ['regions'];
  }

  /** The queries' region summary (polled): connected homes and bills the aggregates do not carry. */
  regionSummary(s: RegionSummary): Part[] {
    const at = this.now();
    this.regions = this.regions.map((r) => {
      const q = s.regions.find((x) => x.region === r.region);
      if (!q) return r;
      return {
        ...r,
        homes: q.total_homes,
        connected_homes: q.connected_homes,
        production_w: q.production_w,
        consumption_w: q.consumption_w,
        avg_bill_eur_per_month: q.avg_bill_eur_per_month,
        updated_at: at,
      };
    });
    return ['regions'];
  }

  /** The overview as the queries answered it, with the live clock where the clock is newer. */
  overviewAnswered(o: Overview): Part[] {
    // The totals aggregate (every 500 ms) is fresher than a poll's answer while it flows; the answer
    // fills the cards when it does not (a dashboard started before the projections, or they stopped).
    if (this.now() - this.totalsAt < TOTALS_FRESH_MS) return [];
    const clockNewer =
      this.clock.simulation_time !== null &&
      (o.simulation_time === null || Date.parse(this.clock.simulation_time) > Date.parse(o.simulation_time));
    this.overview = clockNewer
      ? {
          ...o,
          simulation_time: this.clock.simulation_time,
          speed: this.clock.speed,
          paused: this.clock.paused,
          day_ahead_eur_per_kwh: this.clock.day_ahead_eur_per_kwh ?? o.day_ahead_eur_per_kwh,
        }
      : o;
    return ['overview'];
  }

  homeInitialized(e: HomeInitialized): Part[] {
    return this.places.homeInitialized(e) ? ['locations'] : [];
  }

  /** `get_locations` (per city, mean coordinates): the read side knows every home. */
  locationsAnswered(locations: LocationView[]): Part[] {
    this.places.answered(locations);
    return ['locations'];
  }

  locations(): LocationView[] {
    return this.places.list();
  }

  part(p: Part): unknown {
    switch (p) {
      case 'overview':
        return this.overview;
      case 'clock':
        return this.clock;
      case 'history':
        return this.history.toJSON();
      case 'prices':
        return this.prices.toJSON();
      case 'throughput':
        return this.throughput.toJSON();
      case 'providers':
        return this.providers;
      case 'regions':
        return this.regions;
      case 'locations':
        return this.locations();
    }
  }

  snapshot(): Record<Part, unknown> {
    return Object.fromEntries(PARTS.map((p) => [p, this.part(p)])) as Record<Part, unknown>;
  }
}

function emptyRegion(region: Region): RegionFigures {
  return {
    region,
    homes: 0,
    connected_homes: null,
    production_w: 0,
    consumption_w: 0,
    avg_bill_eur_per_month: null,
    updated_at: null,
  };
}
