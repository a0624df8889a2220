/**
 * The calibration table (docs/calibration.md): what a simulated year looked like, figure by figure,
 * against Flanders in 2024–2025. Fed with the year's events; each row says its value, its target and
 * whether it passes.
 */
import {
  TOPICS,
  type ContractSwitched,
  type HomeBilled,
  type HomeInitialized,
  type HomeTraded,
  type TimeAdvanced,
} from '../../apps/shared/contract';
import { localTime } from '../../apps/shared/world/brussels-time';

export interface Row {
  figure: string;
  value: string;
  target: string;
  pass: boolean;
}

interface HomeYear {
  region: string;
  kwp: number;
  battery: number;
  annualTarget: number;
  consumption: number;
  production: number;
  selfConsumed: number;
  imported: number;
  exported: number;
  billed: number;
  exportRevenue: number;
  provider: string | null;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const fmt = (v: number, digits = 0) =>
  v.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export class YearFigures {
  private readonly homes = new Map<string, HomeYear>();
  private readonly prices = new Map<number, number>();
  private readonly switches: ContractSwitched[] = [];
  private injectionAboveEnergy = 0;
  private tradedHours = 0;

  /** Bills of months outside [fromMonth, toMonth] are ignored (the harness runs a little past the year). */
  constructor(
    private readonly fromMonth = '2025-01',
    private readonly toMonth = '2025-12',
  ) {}

  observe = (topic: string, payload: Record<string, unknown>): void => {
    switch (topic) {
      case TOPICS.homeInitialized: {
        const p = payload as HomeInitialized;
        if (!this.homes.has(p.home_id))
          this.homes.set(p.home_id, {
            region: p.region,
            kwp: p.solar_capacity_kw,
            battery: p.battery_capacity_kwh,
            annualTarget: p.annual_consumption_kwh,
            consumption: 0,
            production: 0,
            selfConsumed: 0,
            imported: 0,
            exported: 0,
            billed: 0,
            exportRevenue: 0,
            provider: null,
          });
        break;
      }
      case TOPICS.homeBilled: {
        const b = payload as HomeBilled;
        const h = this.homes.get(b.home_id);
        if (!h || b.month < this.fromMonth || b.month > this.toMonth) break;
        h.consumption += b.consumption_kwh;
        h.production += b.production_kwh;
        h.selfConsumed += b.self_consumed_kwh;
        h.imported += b.import_kwh;
        h.exported += b.export_kwh;
        h.billed += b.total + b.export_revenue;
        h.exportRevenue += b.export_revenue;
        break;
      }
      case TOPICS.homeTraded: {
        for (const hour of (payload as HomeTraded).hours) {
          this.tradedHours++;
          if (hour.grid_export_kwh > 0 && hour.export_price_per_kwh > hour.energy_price_per_kwh + 1e-12)
            this.injectionAboveEnergy++;
        }
        const h = this.homes.get((payload as HomeTraded).home_id);
        if (h) h.provider = (payload as HomeTraded).provider_id;
        break;
      }
      case TOPICS.contractSwitched:
        this.switches.push(payload as ContractSwitched);
        break;
      case TOPICS.timeAdvanced:
        for (const p of (payload as TimeAdvanced).prices) this.prices.set(Date.parse(p.hour), p.eur_per_kwh);
        break;
    }
  };

  rows(): Row[] {
    const homes = [...this.homes.values()];
    const pv = homes.filter((h) => h.kwp > 0);
    const rows: Row[] = [];
    const row = (figure: string, value: string, target: string, pass: boolean) =>
      rows.push({ figure, value, target, pass });

    const yieldKwp = mean(pv.map((h) => h.production / h.kwp));
    row(
      'PV yield, mean over PV homes',
      `${fmt(yieldKwp)} kWh/kWp`,
      '850–1,000',
      yieldKwp >= 850 && yieldKwp <= 1000,
    );

    const cons = homes.map((h) => h.consumption).sort((a, b) => a - b);
    const [cMean, p10, p90] = [mean(cons), quantile(cons, 0.1), quantile(cons, 0.9)];
    row(
      'household consumption',
      `mean ${fmt(cMean)}, p10 ${fmt(p10)}, p90 ${fmt(p90)} kWh`,
      'mean 3,000–4,000; p10 ≥ 1,200; p90 ≤ 8,000',
      cMean >= 3000 && cMean <= 4000 && p10 >= 1200 && p90 <= 8000,
    );
    const drift = Math.max(...homes.map((h) => Math.abs(h.consumption / h.annualTarget - 1)));
    row(
      "consumption vs each home's annual_consumption_kwh",
      `worst ${fmt(100 * drift, 1)} %`,
      'within 5 %',
      drift <= 0.05,
    );

    const selfUse = (group: HomeYear[]) => mean(group.map((h) => h.selfConsumed / h.production));
    const noBattery = selfUse(pv.filter((h) => h.battery === 0));
    const withBattery = selfUse(pv.filter((h) => h.battery > 0));
    row(
      'self-consumption, PV without battery',
      `${fmt(100 * noBattery, 1)} %`,
      '20–40 %',
      noBattery >= 0.2 && noBattery <= 0.4,
    );
    row(
      'self-consumption, PV with battery',
      `${fmt(100 * withBattery, 1)} %`,
      '45–80 %',
      withBattery >= 0.45 && withBattery <= 0.8,
    );

    const allIn = homes.reduce((a, h) => a + h.billed, 0) / homes.reduce((a, h) => a + h.imported, 0);
    row('all-in import price paid', `${fmt(allIn, 3)} €/kWh`, '0.25–0.45', allIn >= 0.25 && allIn <= 0.45);

    const bill = mean(homes.filter((h) => h.kwp === 0).map((h) => h.billed - h.exportRevenue));
    row(
      'bill of homes without PV, per year',
      `€${fmt(bill)}`,
      '€900–1,700 mean',
      bill >= 900 && bill <= 1700,
    );

    const inj = homes.reduce((a, h) => a + h.exportRevenue, 0) / homes.reduce((a, h) => a + h.exported, 0);
    row(
      'injection price paid, mean',
      `${fmt(inj, 3)} €/kWh; above energy price in ${this.injectionAboveEnergy} of ${fmt(this.tradedHours)} hours`,
      '0.00–0.08; never above',
      inj >= 0 && inj <= 0.08 && this.injectionAboveEnergy === 0,
    );

    rows.push(this.dayAheadRow());
    rows.push(...this.switchingRows(homes));

    const counts = new Map<string, number>();
    for (const h of homes) if (h.provider) counts.set(h.provider, (counts.get(h.provider) ?? 0) + 1);
    const supplied = [...counts.values()].reduce((a, b) => a + b, 0);
    const shares = [...counts.values()].map((n) => n / supplied);
    const largest = Math.max(...shares);
    const hhi = shares.reduce((a, s) => a + s * s, 0);
    row(
      'market concentration at year end',
      `largest ${fmt(100 * largest, 1)} %, HHI ${fmt(hhi, 3)}`,
      'largest < 40 %, HHI < 0.25',
      largest < 0.4 && hhi < 0.25,
    );
    return rows;
  }

  private dayAheadRow(): Row {
    const all: number[] = [];
    const summerMidday: number[] = [];
    const summerEvening: number[] = [];
    const winter: number[] = [];
    const summer: number[] = [];
    for (const [hourMs, price] of this.prices) {
      const t = localTime(hourMs);
      if (t.year !== 2025 && this.fromMonth.startsWith('2025')) continue;
      all.push(price);
      const isSummer = t.month >= 6 && t.month <= 8;
      if (isSummer) summer.push(price);
      if (t.month === 12 || t.month <= 2) winter.push(price);
      if (isSummer && t.hour >= 11 && t.hour < 15) summerMidday.push(price);
      if (isSummer && t.hour >= 17 && t.hour < 21) summerEvening.push(price);
    }
    const m = mean(all);
    const negative = all.filter((p) => p < 0).length;
    const pass =
      m >= 0.05 &&
      m <= 0.12 &&
      negative >= 20 &&
      mean(summerMidday) < mean(summerEvening) &&
      mean(winter) > mean(summer);
    return {
      figure: 'day-ahead price',
      value: `mean ${fmt(m, 3)}; ${negative} negative h; summer midday ${fmt(mean(summerMidday), 3)} vs evening ${fmt(mean(summerEvening), 3)}; winter ${fmt(mean(winter), 3)} vs summer ${fmt(mean(summer), 3)}`,
      target: 'mean 0.05–0.12; ≥ 20 negative h; midday < evening; winter > summer',
      pass,
    };
  }

  private switchingRows(homes: HomeYear[]): Row[] {
    const switchers = new Set(this.switches.map((s) => s.home_id));
    const rate = switchers.size / homes.length;
    const perDay = new Map<string, number>();
    for (const s of this.switches)
      perDay.set(s.simulation_time.slice(0, 10), (perDay.get(s.simulation_time.slice(0, 10)) ?? 0) + 1);
    const worstDay = Math.max(0, ...perDay.values()) / homes.length;
    // Switches per region against homes per region: a chi-square below the 1 % critical value (df 2).
    const regions = [...new Set(homes.map((h) => h.region))];
    let chi = 0;
    for (const r of regions) {
      const expected = (this.switches.length * homes.filter((h) => h.region === r).length) / homes.length;
      const seen = this.switches.filter((s) => s.region === r).length;
      if (expected > 0) chi += (seen - expected) ** 2 / expected;
    }
    const critical = [0, 6.63, 9.21, 11.34][regions.length - 1] ?? 9.21;
    const saving = this.switches.map((s) => s.baseline_cost - s.new_cost).sort((a, b) => a - b);
    const median = quantile(saving, 0.5);
    return [
      {
        figure: 'switching',
        value: `${fmt(100 * rate, 1)} % of homes; worst day ${fmt(100 * worstDay, 2)} %; regions χ² ${fmt(chi, 2)}`,
        target: `10–35 %/yr; ≤ 2 % on any day; χ² < ${critical} (chance)`,
        pass: rate >= 0.1 && rate <= 0.35 && worstDay <= 0.02 && chi < critical,
      },
      {
        figure: 'saving per switch, median',
        value: `€${fmt(median)} per year (${this.switches.length} switches)`,
        target: '€30–250',
        pass: median >= 30 && median <= 250,
      },
    ];
  }
}
