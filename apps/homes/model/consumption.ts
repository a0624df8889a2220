/**
 * Household consumption (domain.md §3): 0.5 kW base, a morning peak 1.5·sin over 07–09 h, an evening
 * peak 2.0·sin over 18–22 h, plus U[0, 0.3] kW noise, scaled by the home's size factor. The deterministic
 * part is integrated exactly over a sub-step; the noise is drawn once per sub-step.
 */
const BASE_KW = 0.5;

/** ∫ amp·sin(π(h − start)/width) dh over [a, b] ∩ [start, start + width]. */
function peakEnergy(amp: number, start: number, width: number, a: number, b: number): number {
  const lo = Math.max(a, start);
  const hi = Math.min(b, start + width);
  if (hi <= lo) return 0;
  const k = Math.PI / width;
  return (amp / k) * (Math.cos(k * (lo - start)) - Math.cos(k * (hi - start)));
}

/** Deterministic consumption (kWh, size factor 1) between two hours of the same day. */
export function profileEnergy(fromH: number, toH: number): number {
  return BASE_KW * (toH - fromH) + peakEnergy(1.5, 7, 2, fromH, toH) + peakEnergy(2.0, 18, 4, fromH, toH);
}

/** Deterministic consumption (kWh, size factor 1) of each of the 96 quarter hours of a day. */
export const PROFILE_QUARTERS = Float64Array.from({ length: 96 }, (_, q) =>
  profileEnergy(q / 4, (q + 1) / 4),
);

/** Deterministic consumption kW (size factor 1) at hour `h`. */
export function profilePower(h: number): number {
  let kw = BASE_KW;
  if (h > 7 && h < 9) kw += 1.5 * Math.sin((Math.PI * (h - 7)) / 2);
  if (h > 18 && h < 22) kw += 2.0 * Math.sin((Math.PI * (h - 18)) / 4);
  return kw;
}

/** Noise kW for one sub-step: U[0, 0.3]. */
export function noiseKw(next: () => number): number {
  return 0.3 * next();
}
