/**
 * One simulated home (domain.md §3), without any messaging: `advance()` integrates the interval since the
 * previous tick and returns the payloads of its events; `decide()` applies the contract rules. The homes
 * app wraps these in publications and RPCs.
 */
import { createRng, type Rng } from '../shared/rng';
import { isoTime } from '../shared/events';
import type { Offer } from '../shared/messages';
import type { HomeConfig } from './homes-file';
import type { MarketView } from './market-view';
import { contractEnd, contractPrices, money, type Contract } from './model/contract';
import {
  emptyTotals,
  integrate,
  newPhysics,
  type HomePhysics,
  type HomeSpec,
  type HourFlows,
} from './model/physics';
import { UsageProfile } from './model/profile';
import { decideDaily, type Decision } from './model/projection';
import { DAY_MS, dayIndex, HOUR_MS, tariffCode } from './model/time';

export const DEFAULT_EFFICIENCY = 0.92;
export const DEFAULT_C_RATE = 0.5;
/** Longest interval integrated in one tick; a longer jump (speed ≥ ~6·10^5 at 1 s ticks) skips the rest. */
export const MAX_INTEGRATION_MS = 48 * HOUR_MS;

export function homeSpec(config: HomeConfig): HomeSpec {
  const capacity = config.battery_capacity_kwh;
  return {
    solarKwp: config.solar_capacity_kw,
    consumptionFactor:
      config.consumption_factor ?? Math.min(1.6, Math.max(0.6, config.solar_capacity_kw / 5)),
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

export interface AdvanceResult {
  measured: Record<string, unknown>;
  traded: Record<string, unknown>;
  /** Present when the tick crossed a simulated midnight (balance once per simulated day). */
  balance?: Record<string, unknown>;
  dayCrossed: boolean;
  skippedMs: number;
}

export class SimulatedHome {
  readonly spec: HomeSpec;
  readonly physics: HomePhysics;
  private readonly physicsRng: Rng;
  private readonly decisionRng: Rng;
  readonly profile = new UsageProfile();
  contract: Contract | null = null;
  hadContract = false;
  lastSwitchMs: number | null = null;
  /** An accept_offer call is in flight: no other decision until it settles. */
  pending = false;
  lastMs: number | null = null;
  readonly meters = { importDay: 0, importNight: 0, exportDay: 0, exportNight: 0 };
  period: Period = { startMs: 0, importKwh: 0, exportKwh: 0, importCost: 0, exportRevenue: 0 };

  constructor(
    readonly config: HomeConfig,
    seed: string,
  ) {
    this.spec = homeSpec(config);
    this.physicsRng = createRng(`${seed}:physics:${config.id}`);
    this.decisionRng = createRng(`${seed}:decisions:${config.id}`);
    this.physics = newPhysics(this.spec, this.physicsRng);
  }

  initializedPayload(): Record<string, unknown> {
    const c = this.config;
    return {
      home_id: c.id,
      name: c.name,
      iot_provider: c.iot_provider,
      address: c.address,
      region: c.address.region,
      city: c.address.city,
      solar_capacity_kw: c.solar_capacity_kw,
      battery_capacity_kwh: c.battery_capacity_kwh,
      meters: c.meters,
    };
  }

  /** Integrates up to `toMs`; null when simulated time did not advance (paused, or the first tick). */
  advance(toMs: number, market: MarketView): AdvanceResult | null {
    if (this.lastMs === null) {
      this.lastMs = toMs;
      this.period.startMs = toMs;
      return null;
    }
    if (toMs <= this.lastMs) return null;
    const fromMs = Math.max(this.lastMs, toMs - MAX_INTEGRATION_MS);
    const skippedMs = fromMs - this.lastMs;
    const dayCrossed = dayIndex(this.lastMs) !== dayIndex(toMs);
    this.lastMs = toMs;

    const hours: HourFlows[] = [];
    const totals = integrate(this.spec, this.physics, this.physicsRng, fromMs, toMs, emptyTotals(), hours);
    this.profile.add(dayIndex(toMs), fromMs, toMs, totals);
    this.meters.importDay += totals.importDayKwh;
    this.meters.importNight += totals.importNightKwh;
    this.meters.exportDay += totals.exportDayKwh;
    this.meters.exportNight += totals.exportNightKwh;

    const providerId = this.contract?.provider_id ?? null;
    const spot = market.spotFor(providerId);
    // Hours without any grid exchange (the battery covered them) traded nothing and are left out:
    // a 29-hour tick carries up to 30 entries per home, the largest event of the simulation.
    const tradedHours: Record<string, unknown>[] = [];
    for (const h of hours) {
      if (h.importKwh === 0 && h.exportKwh === 0) continue;
      const p = contractPrices(this.contract, h.isDay, spot);
      const importCost = h.importKwh * p.importPrice;
      const exportRevenue = h.exportKwh * p.exportPrice;
      this.period.importKwh += h.importKwh;
      this.period.exportKwh += h.exportKwh;
      this.period.importCost += importCost;
      this.period.exportRevenue += exportRevenue;
      tradedHours.push({
        simulation_hour: isoTime(h.hourStartMs),
        grid_import_kwh: h.importKwh,
        grid_export_kwh: h.exportKwh,
        import_price_per_kwh: p.importPrice,
        export_price_per_kwh: p.exportPrice,
        import_cost: money(importCost),
        export_revenue: money(exportRevenue),
        net_cost: money(importCost - exportRevenue),
        is_day: h.isDay,
      });
    }

    const result: AdvanceResult = {
      measured: this.measuredPayload(toMs),
      traded: {
        home_id: this.config.id,
        region: this.config.address.region,
        provider_id: providerId,
        contract_id: this.contract?.contract_id ?? null,
        hours: tradedHours,
      },
      dayCrossed,
      skippedMs,
    };
    if (dayCrossed) result.balance = this.balancePayload();
    return result;
  }

  private measuredPayload(atMs: number): Record<string, unknown> {
    const p = this.physics;
    const voltage = 230 + 4 * (this.physicsRng.next() - 0.5);
    const m = this.meters;
    return {
      home_id: this.config.id,
      region: this.config.address.region,
      city: this.config.address.city,
      production_w: Math.round(p.productionKw * 1000),
      consumption_w: Math.round(p.consumptionKw * 1000),
      power_w: Math.round(p.gridKw * 1000),
      battery_kwh: p.socKwh,
      battery_capacity_kwh: this.spec.battery.capacityKwh,
      state_of_charge_pct:
        this.spec.battery.capacityKwh > 0 ? (100 * p.socKwh) / this.spec.battery.capacityKwh : 0,
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
    };
  }

  balancePayload(): Record<string, unknown> {
    const q = this.period;
    return {
      home_id: this.config.id,
      region: this.config.address.region,
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
   * First contract (domain.md §3): a random provider's offer, started at a random moment of the past
   * year; taken as soon as the home has seen an offer. Returns true when assigned.
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
    this.period = { startMs: nowMs, importKwh: 0, exportKwh: 0, importCost: 0, exportRevenue: 0 };
  }

  dropToSpot(nowMs: number): void {
    this.contract = null;
    this.period = { startMs: nowMs, importKwh: 0, exportKwh: 0, importCost: 0, exportRevenue: 0 };
  }

  decide(nowMs: number, market: MarketView, thresholdEur: number): Decision {
    const profile = this.profile.annual();
    if (!profile || this.pending) return { kind: 'stay' };
    return decideDaily({
      nowMs,
      contract: this.contract,
      offers: market.offers.values(),
      profile,
      spotFor: market.spotFor,
      thresholdEur,
      lastSwitchMs: this.lastSwitchMs,
    });
  }
}
