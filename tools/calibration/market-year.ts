/**
 * A simulated year of the whole market without a gateway (docs/calibration.md): the simulation,
 * homes and utilities apps of every region, unchanged, wired through the in-process bus and driven
 * tick by tick on a fake clock. What they publish is handed to `observe`, which is how the
 * calibration report reads the year: from the same events the read side consumes.
 */
import pino from 'pino';
import { createHomesApp, type HomesApp } from '../../apps/homes/app';
import { DEFAULT_SWITCH_PROPENSITY } from '../../apps/homes/config';
import { loadHomes, type HomeConfig } from '../../apps/homes/homes-file';
import { loadNetworkTariffs } from '../../apps/homes/network-tariffs';
import { ALL_EVENTS_PATTERN } from '../../apps/shared/contract';
import { REGIONS, type Region } from '../../apps/shared/env';
import { createSimulationApp } from '../../apps/simulation/app';
import { createUtilitiesApp, type UtilitiesApp } from '../../apps/utilities/app';
import { loadProviders } from '../../apps/utilities/catalogue';
import { FakeBus } from './in-process-bus';

export interface MarketYearOptions {
  seed: string;
  /** Homes per region, taken from the start of the shipped `<region>-1000` file; default: the `<region>` file. */
  homesPerRegion?: number;
  /** Simulated hours per tick (default 6). */
  tickHours?: number;
  /** Simulated days (default 365, plus the hours that close December's bills). */
  days?: number;
  startIso?: string;
  thresholdEur?: number;
  propensity?: number;
  /** Every event published, in order. */
  observe: (topic: string, payload: Record<string, unknown>) => void;
  /** Called every simulated day with the day's index (progress). */
  onDay?: (day: number, days: number) => void;
}

function homesFor(region: Region, count: number | undefined): HomeConfig[] {
  if (count === undefined) return loadHomes([region], region);
  const all = loadHomes([`${region}-1000`], region);
  if (count > all.length)
    throw new Error(`--homes ${count}: the shipped file holds ${all.length} per region`);
  return all.slice(0, count);
}

export async function runMarketYear(o: MarketYearOptions): Promise<{ homes: number; ticks: number }> {
  const log = pino({ level: 'error' });
  const bus = new FakeBus({ clone: false, record: false });
  const tickHours = o.tickHours ?? 6;
  const speed = tickHours * 3600;
  const startMs = Date.parse(o.startIso ?? '2025-01-01T00:00:00Z');
  let now = 0;
  const tariffs = loadNetworkTariffs();
  const observer = bus.client('calibration');
  await observer.subscribe(ALL_EVENTS_PATTERN, (payload, meta) => {
    o.observe(meta.topic, payload as Record<string, unknown>);
  });
  const sim = createSimulationApp(
    { speed, startMs, tickMs: 1000, now: () => now, autoTick: false, seed: o.seed, log },
    bus.client('simulation'),
  );
  const homes: HomesApp[] = [];
  const utilities: UtilitiesApp[] = [];
  let homeCount = 0;
  for (const region of REGIONS) {
    const configs = homesFor(region, o.homesPerRegion);
    homeCount += configs.length;
    homes.push(
      createHomesApp(
        {
          region,
          homes: configs,
          tariff: tariffs[region],
          thresholdEur: o.thresholdEur ?? 50,
          propensity: o.propensity ?? DEFAULT_SWITCH_PROPENSITY,
          seed: o.seed,
          log,
          rpcTimeoutMs: 60_000,
        },
        bus.client(`homes-${region}`),
      ),
    );
    utilities.push(
      createUtilitiesApp(
        { region, providers: loadProviders(['providers'], region, 5), seed: o.seed, log },
        bus.client(`utilities-${region}`),
      ),
    );
  }
  await sim.start();
  for (const app of [...utilities, ...homes]) await app.start();

  const days = o.days ?? 365;
  // Two extra local hours close December's bill (Brussels is ahead of UTC).
  const ticks = Math.ceil((days * 24 + 2) / tickHours) + 1;
  let lastDay = -1;
  for (let i = 0; i < ticks; i++) {
    now += 1000;
    await sim.tick();
    await bus.drain();
    for (const h of homes) await h.idle();
    await bus.drain();
    const day = Math.floor((i * tickHours) / 24);
    if (o.onDay && day !== lastDay) o.onDay((lastDay = day), days);
  }
  for (const app of [...homes, ...utilities]) await app.stop();
  await sim.stop();
  return { homes: homeCount, ticks };
}
