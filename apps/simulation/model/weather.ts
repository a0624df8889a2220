/**
 * Daily weather per region (docs/domain.md, "Weather"): seeded, seasonal and correlated. A national
 * weather system (an AR(1) process: sunny or grey spells last a few days) drives all three regions,
 * each with its own smaller noise, so a sunny day in Antwerp is usually sunny in Brabant. A year is
 * drawn at once per seed, so a day's weather never depends on how ticks cut the time.
 */
import { createRng } from '../../shared/rng';
import { REGIONS, type Region } from '../../shared/env';
import { DAY_MS } from '../../shared/world/brussels-time';
import { meanSunshine, meanTemperature } from '../../shared/world/climate';

export interface DayWeather {
  sunshine: number;
  temperatureC: number;
}

/** Day-to-day persistence of the national weather system. */
const PERSISTENCE = 0.65;
/** Weight of the national system in each region (regional correlation ≈ this squared). */
const NATIONAL_WEIGHT = 0.9;

/** A standard normal draw (Box–Muller) from a uniform source. */
function normal(next: () => number): number {
  const u = Math.max(next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

type YearWeather = Record<Region, DayWeather[]>;
const cache = new Map<string, YearWeather>();

function drawYear(seed: string, year: number): YearWeather {
  const rng = createRng(`${seed}:weather:${year}`);
  const days = Math.round((Date.UTC(year + 1, 0, 1) - Date.UTC(year, 0, 1)) / DAY_MS);
  const out = Object.fromEntries(REGIONS.map((r) => [r, [] as DayWeather[]])) as YearWeather;
  let sunSystem = normal(rng.next);
  let warmSystem = normal(rng.next);
  const innovation = Math.sqrt(1 - PERSISTENCE * PERSISTENCE);
  const local = Math.sqrt(1 - NATIONAL_WEIGHT * NATIONAL_WEIGHT);
  for (let d = 0; d < days; d++) {
    sunSystem = PERSISTENCE * sunSystem + innovation * normal(rng.next);
    warmSystem = PERSISTENCE * warmSystem + innovation * normal(rng.next);
    const doy = d + 1;
    // Sunny summer days are warm, sunny winter days cold (clear nights).
    const summerness = Math.cos((2 * Math.PI * (doy - 180)) / 365);
    for (const region of REGIONS) {
      const z = NATIONAL_WEIGHT * sunSystem + local * normal(rng.next);
      const sunshine = clamp(meanSunshine(doy) + 0.26 * z, 0.03, 1);
      const temperatureC =
        meanTemperature(doy) + 2.8 * warmSystem + 2.2 * summerness * z + 0.6 * normal(rng.next);
      out[region].push({
        sunshine: Math.round(sunshine * 1000) / 1000,
        temperatureC: Math.round(temperatureC * 10) / 10,
      });
    }
  }
  return out;
}

/** The weather of `region` on the UTC day containing `utcMs`, for a seed. */
export function weatherOn(seed: string, region: Region, utcMs: number): DayWeather {
  const d = new Date(utcMs);
  const year = d.getUTCFullYear();
  const key = `${seed}:${year}`;
  let w = cache.get(key);
  if (!w) {
    if (cache.size > 16) cache.clear();
    w = drawYear(seed, year);
    cache.set(key, w);
  }
  const index = Math.floor((utcMs - Date.UTC(year, 0, 1)) / DAY_MS);
  return w[region][index];
}

/** Mean sunshine of the three regions: what the national market sees. */
export function nationalSunshine(seed: string, utcMs: number): number {
  let sum = 0;
  for (const r of REGIONS) sum += weatherOn(seed, r, utcMs).sunshine;
  return sum / REGIONS.length;
}
