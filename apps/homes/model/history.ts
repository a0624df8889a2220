/**
 * A home's own last 12 months of grid exchange (docs/domain.md, "Contracts"), kept per calendar month
 * as the sums a tariff comparison needs: import and export on the day and night registers, the same
 * weighted by the day-ahead price (for dynamic offers), and the month's peak. While the home has less
 * than a year of history the missing months are completed from the observed ones with the seasonal
 * weight of each month (more import in winter, more export in summer).
 */
export interface MonthUsage {
  month: string;
  hours: number;
  importDay: number;
  importNight: number;
  exportDay: number;
  exportNight: number;
  /** Σ import × day-ahead price, Σ export × day-ahead price (€). */
  importAtDayAhead: number;
  exportAtDayAhead: number;
  peakKw: number;
}

/** A year of usage, measured or completed. */
export type AnnualUsage = Omit<MonthUsage, 'month' | 'hours' | 'peakKw'> & {
  /** Mean monthly peak (kW). */
  peakKw: number;
  /** Months actually observed (fractional for partial months). */
  observedMonths: number;
};

/** Relative import per calendar month (Jan … Dec): the load's winter weight. */
const IMPORT_WEIGHT = Array.from({ length: 12 }, (_, m) => 1 + 0.3 * Math.cos((2 * Math.PI * m) / 12));
/** Relative export per calendar month: Belgian PV yield by month (kWh/kWp), surplus follows it. */
const EXPORT_WEIGHT = [22, 42, 78, 112, 128, 130, 128, 112, 82, 52, 26, 16];

const monthIndex = (month: string) => Number(month.slice(5, 7)) - 1;

export class UsageHistory {
  private readonly months: MonthUsage[] = [];

  /** The record of `month`, created (and the oldest beyond 13 dropped) when new. */
  record(month: string): MonthUsage {
    const last = this.months[this.months.length - 1];
    if (last && last.month === month) return last;
    const found = this.months.find((m) => m.month === month);
    if (found) return found;
    const rec: MonthUsage = {
      month,
      hours: 0,
      importDay: 0,
      importNight: 0,
      exportDay: 0,
      exportNight: 0,
      importAtDayAhead: 0,
      exportAtDayAhead: 0,
      peakKw: 0,
    };
    this.months.push(rec);
    while (this.months.length > 13) this.months.shift();
    return rec;
  }

  /** The last 12 months (the current one included), completed to a year; null before a day of data. */
  annual(): AnnualUsage | null {
    const months = this.months.slice(-12);
    let hours = 0;
    for (const m of months) hours += m.hours;
    if (hours < 24) return null;
    let importWeight = 0;
    let exportWeight = 0;
    let observedMonths = 0;
    const sum = {
      importDay: 0,
      importNight: 0,
      exportDay: 0,
      exportNight: 0,
      importAtDayAhead: 0,
      exportAtDayAhead: 0,
    };
    let peak = 0;
    for (const m of months) {
      const i = monthIndex(m.month);
      const coverage = Math.min(1, m.hours / 730);
      observedMonths += coverage;
      importWeight += IMPORT_WEIGHT[i] * coverage;
      exportWeight += EXPORT_WEIGHT[i] * coverage;
      sum.importDay += m.importDay;
      sum.importNight += m.importNight;
      sum.exportDay += m.exportDay;
      sum.exportNight += m.exportNight;
      sum.importAtDayAhead += m.importAtDayAhead;
      sum.exportAtDayAhead += m.exportAtDayAhead;
      peak += m.peakKw * coverage;
    }
    const imp = totalWeight(IMPORT_WEIGHT) / importWeight;
    const exp = totalWeight(EXPORT_WEIGHT) / exportWeight;
    return {
      importDay: sum.importDay * imp,
      importNight: sum.importNight * imp,
      exportDay: sum.exportDay * exp,
      exportNight: sum.exportNight * exp,
      importAtDayAhead: sum.importAtDayAhead * imp,
      exportAtDayAhead: sum.exportAtDayAhead * exp,
      peakKw: peak / observedMonths,
      observedMonths,
    };
  }
}

function totalWeight(w: number[]): number {
  return w.reduce((a, b) => a + b, 0);
}
