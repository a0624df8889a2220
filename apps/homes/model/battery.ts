/**
 * Battery and grid for one sub-step (docs/domain.md, "Homes"). Surplus charges until full, deficit discharges until
 * empty, both within the power limit; the round-trip efficiency is charged on the way in (what enters
 * the cell is input × efficiency). What the battery cannot take is exported, what it cannot give is
 * imported, so: production + import = consumption + export + losses + ΔSoC.
 */
export interface BatterySpec {
  capacityKwh: number;
  /** Round-trip efficiency (default 0.92). */
  efficiency: number;
  /** Power limit in kW (default 0.5 C). */
  powerKw: number;
}

export interface StepFlows {
  importKwh: number;
  exportKwh: number;
  lossesKwh: number;
  /** SoC after the step. */
  socKwh: number;
}

/** Settles one sub-step of `hours` with the given production and consumption energy; writes into `out`. */
export function settleStep(
  spec: BatterySpec,
  socKwh: number,
  productionKwh: number,
  consumptionKwh: number,
  hours: number,
  out: StepFlows,
): StepFlows {
  const net = productionKwh - consumptionKwh;
  const limit = spec.powerKw * hours;
  if (net >= 0) {
    const room = (spec.capacityKwh - socKwh) / spec.efficiency;
    const charge = Math.max(0, Math.min(net, limit, room));
    const stored = charge * spec.efficiency;
    out.socKwh = socKwh + stored;
    out.lossesKwh = charge - stored;
    out.exportKwh = net - charge;
    out.importKwh = 0;
  } else {
    const deficit = -net;
    const discharge = Math.max(0, Math.min(deficit, limit, socKwh));
    out.socKwh = socKwh - discharge;
    out.lossesKwh = 0;
    out.importKwh = deficit - discharge;
    out.exportKwh = 0;
  }
  return out;
}
