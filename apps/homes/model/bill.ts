/**
 * The monthly invoice (docs/domain.md, "home.billed"): energy and network per kWh imported, the
 * capacity tariff on the month's highest 15-minute import peak (never below the minimum), the
 * supplier's fixed fee and the grid operator's data fee pro rata, 6 % VAT on all of it, minus what
 * exports earned (no VAT, no network costs). A month the simulation only partly covered (the first
 * one) pays its fixed and capacity parts pro rata of the hours covered.
 */
import type { NetworkTariff } from '../network-tariffs';
import { VAT_RATE } from '../network-tariffs';

export interface MonthTotals {
  month: string;
  hours: number;
  consumptionKwh: number;
  productionKwh: number;
  importKwh: number;
  exportKwh: number;
  peakKw: number;
  energyCost: number;
  networkCost: number;
  exportRevenue: number;
}

export function emptyMonth(month: string): MonthTotals {
  return {
    month,
    hours: 0,
    consumptionKwh: 0,
    productionKwh: 0,
    importKwh: 0,
    exportKwh: 0,
    peakKw: 0,
    energyCost: 0,
    networkCost: 0,
    exportRevenue: 0,
  };
}

/** Hours in a calendar month given as YYYY-MM (UTC days; DST moves an hour, which a bill ignores). */
export function hoursInMonth(month: string): number {
  const [y, m] = month.split('-').map(Number);
  return (Date.UTC(y, m, 1) - Date.UTC(y, m - 1, 1)) / 3_600_000;
}

export interface Invoice {
  month: string;
  consumption_kwh: number;
  production_kwh: number;
  self_consumed_kwh: number;
  import_kwh: number;
  export_kwh: number;
  peak_kw: number;
  energy_cost: number;
  network_cost: number;
  capacity_cost: number;
  fixed_cost: number;
  vat: number;
  export_revenue: number;
  total: number;
}

const r4 = (v: number) => Math.round(v * 10_000) / 10_000;

export function invoice(m: MonthTotals, tariff: NetworkTariff, supplierFeePerYear: number): Invoice {
  const coverage = Math.min(1, m.hours / hoursInMonth(m.month));
  const capacity = tariff.capacityPerKwMonth * Math.max(m.peakKw, tariff.minimumPeakKw) * coverage;
  const fixed = ((supplierFeePerYear + tariff.dataFeePerYear) / 12) * coverage;
  const vat = VAT_RATE * (m.energyCost + m.networkCost + capacity + fixed);
  return {
    month: m.month,
    consumption_kwh: r4(m.consumptionKwh),
    production_kwh: r4(m.productionKwh),
    self_consumed_kwh: r4(Math.max(0, m.productionKwh - m.exportKwh)),
    import_kwh: r4(m.importKwh),
    export_kwh: r4(m.exportKwh),
    peak_kw: r4(m.peakKw),
    energy_cost: r4(m.energyCost),
    network_cost: r4(m.networkCost),
    capacity_cost: r4(capacity),
    fixed_cost: r4(fixed),
    vat: r4(vat),
    export_revenue: r4(m.exportRevenue),
    total: r4(m.energyCost + m.networkCost + capacity + fixed + vat - m.exportRevenue),
  };
}
