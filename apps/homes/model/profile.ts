/**
 * The home's own observed consumption profile (domain.md §3 Decision: projections use it and the
 * prices): day/night import and export of the last 30 simulated days, kept per day in a ring.
 */
import type { IntervalTotals } from './physics';
import { HOUR_MS } from './time';

const WINDOW_DAYS = 30;

interface DayRecord {
  day: number;
  hours: number;
  importDay: number;
  importNight: number;
  exportDay: number;
  exportNight: number;
}

export interface AnnualProfile {
  importDayKwh: number;
  importNightKwh: number;
  exportDayKwh: number;
  exportNightKwh: number;
  /** Simulated hours observed, for confidence checks. */
  observedHours: number;
}

export class UsageProfile {
  private readonly days: DayRecord[] = [];

  /** Adds an interval's totals to the record of `day` (the day the interval ends in). */
  add(day: number, fromMs: number, toMs: number, totals: IntervalTotals): void {
    let rec = this.days[this.days.length - 1];
    if (!rec || rec.day !== day) {
      rec = { day, hours: 0, importDay: 0, importNight: 0, exportDay: 0, exportNight: 0 };
      this.days.push(rec);
      while (this.days.length > 0 && this.days[0].day <= day - WINDOW_DAYS) this.days.shift();
    }
    rec.hours += (toMs - fromMs) / HOUR_MS;
    rec.importDay += totals.importDayKwh;
    rec.importNight += totals.importNightKwh;
    rec.exportDay += totals.exportDayKwh;
    rec.exportNight += totals.exportNightKwh;
  }

  clear(): void {
    this.days.length = 0;
  }

  /** The window scaled to a year (8,760 h); null before a full simulated day has been seen. */
  annual(): AnnualProfile | null {
    let hours = 0;
    const sum = { importDay: 0, importNight: 0, exportDay: 0, exportNight: 0 };
    for (const d of this.days) {
      hours += d.hours;
      sum.importDay += d.importDay;
      sum.importNight += d.importNight;
      sum.exportDay += d.exportDay;
      sum.exportNight += d.exportNight;
    }
    if (hours < 24) return null;
    const f = 8760 / hours;
    return {
      importDayKwh: sum.importDay * f,
      importNightKwh: sum.importNight * f,
      exportDayKwh: sum.exportDay * f,
      exportNightKwh: sum.exportNight * f,
      observedHours: hours,
    };
  }
}
