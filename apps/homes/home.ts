/**
 * One simulated home (docs/domain.md, "Homes"), without any messaging: `advance()` integrates the
 * interval since the previous tick in the world the tick described and returns the payloads of its
 * events; `decide()` applies the contract rules. The homes app wraps these in publications and RPCs.
 */
import type { PayloadOf, TOPICS } from '../shared/contract';
import { isoTime } from '../shared/events';
import { createRng, type Rng } from '../shared/rng';
import { tariffCode } from '../shared/world/tariff-window';
import type { HomeConfig } from './homes-file';
import type { MarketView } from './market-view';
import { emptyMonth, invoice, type MonthTotals } from './model/bill';
import { contractEnd, money, offerPrices, type Contract, type Offer } from './model/contract';
import { UsageHistory } from './model/history';
import {
  emptyTotals,
  integrate,
  newPhysics,
  type DayWorld,
  type HomePhysics,
  type HomeSpec,
  type HourFlows,
} from './model/physics';
import { decideAtExpiry, decideMonthly, type Decision } from './model/projection';
import { DAY_MS, dayIndex, HOUR_MS } from './model/time';
import type { NetworkTariff } from './network-tariffs';
import { VAT_RATE } from './network-tariffs';

export const DEFAULT_EFFICIENCY = 0.92;
export const DEFAULT_C_RATE = 0.5;
/** Longest interval integrated in one tick; a longer jump (speed ≥ ~6·10^5 at 1 s ticks) skips the rest. */
export const MAX_INTEGRATION_MS = 48 * HOUR_MS;
/** Homes review their contract about once a month, each on its own day. */
export const DECISION_PERIOD_MS = 30 * DAY_MS;

/** The world of the interval being integrated, as the tick carried it. */
export interface WorldView {
  day(dayIndex: number): DayWorld;
  /** Day-ahead price (€/kWh) of the hour starting at `hourMs`. */
  price(hourMs: number): number;
}

export function homeSpec(config: HomeConfig): HomeSpec {
  const capacity = config.battery_capacity_kwh;
  return {
    solarKwp: config.solar_capacity_kw,
    annualKwh: config.annual_consumption_kwh,
    heatPump: config.heat_pump ?? false,
    ev: config.ev ?? false,
    latitude: config.address.latitude,
    longitude: config.address.longitude,
    battery: {
      capacityKwh: capacity,
      efficiency: config.battery_efficiency ?? DEFAULT_EFFICIENCY,
      powerKw: config.battery_power_kw ?? capacity * DEFAULT_C_RATE,
    },
  };
}

interface Period {
  startMs: number;
  importKwh: number;
  exportKwh: number;
  importCost: number;
  exportRevenue: number;
}

const newPeriod = (startMs: number): Period => ({
  startMs,
  importKwh: 0,
  exportKwh: 0,
  importCost: 0,
  exportRevenue: 0,
});

export interface AdvanceResult {
  measured: PayloadOf<typeof TOPICS.homeMeasured>;
  traded: PayloadOf<typeof TOPICS.homeTraded>;
  /** Invoices of months that ended in this interval. */
  bills: PayloadOf<typeof TOPICS.homeBilled>[];
  /** Present when the tick crossed a simulated midnight (balance once per simulated day). */
  balance?: PayloadOf<typeof TOPICS.balanceUpdated>;
  /** The contract ran out: renew or move now. */
  expired: boolean;
  /** The home's monthly review fell in this interval. */
  reviewDue: boolean;
  skippedMs: number;
}

export class SimulatedHome {
  readonly spec: HomeSpec;
  readonly physics: HomePhysics;
  private readonly physicsRng: Rng;
  private readonly decisionRng: Rng;
  readonly history = new UsageHistory();
  contract: Contract | null = null;
  hadContract = false;
  /** An accept_offer call is in flight: no other decision until it settles. */
  pending = false;
  lastMs: number | null = null;
  nextReviewMs = Number.POSITIVE_INFINITY;
  readonly meters = { importDay: 0, importNight: 0, exportDay: 0, exportNight: 0 };
  period: Period = newPeriod(0);
  month: MonthTotals | null = null;

  constructor(
    readonly config: HomeConfig,
    seed: string,
    readonly tariff: NetworkTariff,
  ) {
    this.spec = homeSpec(config);
    this.physicsRng = createRng(`${seed}:physics:${config.id}`);
    this.decisionRng = createRng(`${seed}:decisions:${config.id}`);
    this.physics = newPhysics(this.spec, this.physicsRng);
  }

  get region() {
    return this.config.address.region;
  }

  initializedPayload(): PayloadOf<typeof TOPICS.homeInitialized> {
    const c = this.config;
    return {
      home_id: c.id,
      name: c.name,
      iot_provider: c.iot_provider,
      address: c.address,
      region: c.address.region,
      city: c.address.city,
      annual_consumption_kwh: c.annual_consumption_kwh,
      solar_capacity_kw: c.solar_capacity_kw,
      battery_capacity_kwh: c.battery_capacity_kwh,
      heat_pump: c.heat_pump ?? false,
      ev: c.ev ?? false,
      meters: c.meters,
    };
  }

  /** Integrates up to `toMs`; null when simulated time did not advance (paused, or the first tick). */
  advance(toMs: number, world: WorldView, market: MarketView): AdvanceResult | null {
    if (this.lastMs === null) {
      this.lastMs = toMs;
      this.period = newPeriod(toMs);
      this.nextReviewMs = toMs + Math.floor(this.decisionRng.uniform(0, 1) * DECISION_PERIOD_MS);
      return null;
    }
    if (toMs <= this.lastMs) return null;
    const fromMs = Math.max(this.lastMs, toMs - MAX_INTEGRATION_MS);
    const skippedMs = fromMs - this.lastMs;
    const dayCrossed = dayIndex(this.lastMs) !== dayIndex(toMs);
    this.lastMs = toMs;

    const hours: HourFlows[] = [];
    integrate(this.spec, this.physics, this.physicsRng, fromMs, toMs, world.day, hours, emptyTotals());
    const bills: PayloadOf<typeof TOPICS.homeBilled>[] = [];
    const traded: PayloadOf<typeof TOPICS.homeTraded>['hours'] = [];
    for (const h of hours) this.settleHour(h, fromMs, toMs, world, market, bills, traded);

    const reviewDue = toMs >= this.nextReviewMs;
    while (this.nextReviewMs <= toMs) this.nextReviewMs += DECISION_PERIOD_MS;
    const result: AdvanceResult = {
      measured: this.measuredPayload(toMs),
      traded: {
        home_id: this.config.id,
        region: this.region,
        provider_id: this.contract?.provider_id ?? null,
        contract_id: this.contract?.contract_id ?? null,
        hours: traded,
      },
      bills,
      expired: this.contract !== null && toMs >= this.contract.endMs,
      reviewDue,
      skippedMs,
    };
    if (dayCrossed) result.balance = this.balancePayload();
    return result;
  }

  /** Prices one hour's exchange, adds it to the meters, the month's bill, the history and the period. */
  private settleHour(
    h: HourFlows,
    fromMs: number,
    toMs: number,
    world: WorldView,
    market: MarketView,
    bills: PayloadOf<typeof TOPICS.homeBilled>[],
    traded: PayloadOf<typeof TOPICS.homeTraded>['hours'],
  ): void {
    if (this.month && this.month.month !== h.month) bills.push(this.closeMonth());
    const month = (this.month ??= emptyMonth(h.month));
    const dayAhead = world.price(h.hourStartMs);
    const providerId = this.contract?.provider_id ?? null;
    const p = offerPrices(
      this.contract?.offer ?? null,
      h.isDay,
      dayAhead,
      market.providerHour(providerId, h.hourStartMs),
    );
    const network = this.tariff.perKwh;
    const energyCost = h.importKwh * p.energy;
    const networkCost = h.importKwh * network;
    const importCost = (energyCost + networkCost) * (1 + VAT_RATE);
    const exportRevenue = h.exportKwh * p.export;

    month.hours += (Math.min(toMs, h.hourStartMs + HOUR_MS) - Math.max(fromMs, h.hourStartMs)) / HOUR_MS;
    month.consumptionKwh += h.consumptionKwh;
    month.productionKwh += h.productionKwh;
    month.importKwh += h.importKwh;
    month.exportKwh += h.exportKwh;
    month.energyCost += energyCost;
    month.networkCost += networkCost;
    month.exportRevenue += exportRevenue;
    if (h.peakKw > month.peakKw) month.peakKw = h.peakKw;

    const usage = this.history.record(h.month);
    usage.hours = month.hours;
    if (h.isDay) {
      usage.importDay += h.importKwh;
      usage.exportDay += h.exportKwh;
      this.meters.importDay += h.importKwh;
      this.meters.exportDay += h.exportKwh;
    } else {
      usage.importNight += h.importKwh;
      usage.exportNight += h.exportKwh;
      this.meters.importNight += h.importKwh;
      this.meters.exportNight += h.exportKwh;
    }
    usage.importAtDayAhead += h.importKwh * dayAhead;
    usage.exportAtDayAhead += h.exportKwh * dayAhead;
    usage.peakKw = month.peakKw;

    this.period.importKwh += h.importKwh;
    this.period.exportKwh += h.exportKwh;
    this.period.importCost += importCost;
    this.period.exportRevenue += exportRevenue;
    // Hours without any grid exchange (the battery covered them) traded nothing and are left out:
    // a 29-hour tick carries up to 30 entries per home, the largest event of the simulation.
    if (h.importKwh === 0 && h.exportKwh === 0) return;
    traded.push({
      simulation_hour: isoTime(h.hourStartMs),
      grid_import_kwh: h.importKwh,
      grid_export_kwh: h.exportKwh,
      energy_price_per_kwh: p.energy,
      network_price_per_kwh: network,
      export_price_per_kwh: p.export,
      import_cost: money(importCost),
      export_revenue: money(exportRevenue),
      net_cost: money(importCost - exportRevenue),
      is_day: h.isDay,
    });
  }

  /** The invoice of the month in progress; the next hour starts a new one. */
  private closeMonth(): PayloadOf<typeof TOPICS.homeBilled> {
    const m = this.month as MonthTotals;
    this.month = null;
    return {
      home_id: this.config.id,
      region: this.region,
      provider_id: this.contract?.provider_id ?? null,
      contract_id: this.contract?.contract_id ?? null,
      ...invoice(m, this.tariff, this.contract?.offer.fixed_fee_per_year ?? 0),
    };
  }

  private measuredPayload(atMs: number): PayloadOf<typeof TOPICS.homeMeasured> {
    const p = this.physics;
    const voltage = 230 + 4 * (this.physicsRng.next() - 0.5);
    const m = this.meters;
    const capacity = this.spec.battery.capacityKwh;
    return {
      home_id: this.config.id,
      region: this.region,
      city: this.config.address.city,
      production_w: Math.round(p.productionKw * 1000),
      consumption_w: Math.round(p.consumptionKw * 1000),
      power_w: Math.round(p.gridKw * 1000),
      battery_kwh: p.socKwh,
      battery_capacity_kwh: capacity,
      state_of_charge_pct: capacity > 0 ? Math.min(100, (100 * p.socKwh) / capacity) : 0,
      energy_import_kwh: m.importDay + m.importNight,
      energy_export_kwh: m.exportDay + m.exportNight,
      tariff: tariffCode(atMs),
      provider_id: this.contract?.provider_id ?? null,
      contract_id: this.contract?.contract_id ?? null,
      electricity_delivered_tariff1_kwh: m.importDay,
      electricity_delivered_tariff2_kwh: m.importNight,
      electricity_returned_tariff1_kwh: m.exportDay,
      electricity_returned_tariff2_kwh: m.exportNight,
      voltage_v: Math.round(voltage * 10) / 10,
      current_a: Math.round((Math.abs(p.gridKw * 1000) / voltage) * 100) / 100,
      frequency_hz: Math.round((50 + 0.1 * (this.physicsRng.next() - 0.5)) * 1000) / 1000,
      month_peak_kw: Math.round((this.month?.peakKw ?? 0) * 1000) / 1000,
    };
  }

  balancePayload(): PayloadOf<typeof TOPICS.balanceUpdated> {
    const q = this.period;
    return {
      home_id: this.config.id,
      region: this.region,
      provider_id: this.contract?.provider_id ?? null,
      contract_id: this.contract?.contract_id ?? null,
      period_start: isoTime(q.startMs),
      import_kwh: q.importKwh,
      export_kwh: q.exportKwh,
      import_cost: money(q.importCost),
      export_revenue: money(q.exportRevenue),
      net_cost: money(q.importCost - q.exportRevenue),
      balance_eur: money(q.exportRevenue - q.importCost),
    };
  }

  /**
   * First contract (docs/domain.md, "Contracts"): a random provider's offer, started at a random
   * moment of the past year, so expiries and reviews are spread too.
   */
  assignInitialContract(nowMs: number, offers: Offer[]): boolean {
    if (this.hadContract || offers.length === 0) return false;
    const offer = this.decisionRng.pick(offers);
    const startMs = nowMs - Math.floor(this.decisionRng.uniform(0, 360) * DAY_MS);
    this.setContract(
      `initial-${this.config.id}`,
      offer,
      startMs,
      contractEnd(startMs, offer.duration_months),
      nowMs,
    );
    return true;
  }

  setContract(contractId: string, offer: Offer, startMs: number, endMs: number, nowMs: number): void {
    this.contract = { contract_id: contractId, provider_id: offer.provider_id, offer, startMs, endMs };
    this.hadContract = true;
    this.period = newPeriod(nowMs);
  }

  dropToSpot(nowMs: number): void {
    this.contract = null;
    this.period = newPeriod(nowMs);
  }

  /** The contract decision of this tick: at expiry, or at the monthly review. */
  decide(market: MarketView, thresholdEur: number, propensity: number, at: 'expiry' | 'review'): Decision {
    const usage = this.history.annual();
    if (!usage || this.pending) return { kind: 'stay' };
    const input = {
      contract: this.contract,
      offers: market.offers.values(),
      usage,
      tariff: this.tariff,
      thresholdEur,
      propensity,
      draw: this.decisionRng.next(),
    };
    if (at === 'expiry') {
      const own = this.contract ? (market.offers.get(this.contract.provider_id) ?? null) : null;
      return decideAtExpiry(input, own);
    }
    return decideMonthly(input);
  }
}
