/**
 * The stand-in read side and aggregates describe the same homes at the same simulated moment, so a
 * screenshot never shows a night sky over panels producing kilowatts, or a January afternoon with
 * summer output: both take production and consumption from here, as functions of the simulation
 * clock's time.
 */
import { sunElevationSine } from '../../apps/dashboard/model/live-state';

/**
 * Watts per kWp of panels under a clear sky: about 1,000 W/m² at the sun's zenith times a 0.75
 * performance ratio, scaled by the sine of the elevation (so about 210 W/kWp at a January noon in
 * Brussels and 720 W/kWp at a June noon).
 */
const CLEAR_SKY_W_PER_KWP = 750;

/** A panel's output per kWp at simulated time `t`: 0 at night. */
export function wattsPerKwp(t: number): number {
  return CLEAR_SKY_W_PER_KWP * Math.max(0, sunElevationSine(t));
}

/** Household load relative to its yearly average: higher in the evening peak. */
export function loadShare(t: number): number {
  const hour = new Date(t).getUTCHours() + new Date(t).getUTCMinutes() / 60;
  return hour > 16 && hour < 22 ? 1.8 : 1;
}
