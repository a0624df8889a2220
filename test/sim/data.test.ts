/**
 * Shipped data and startup errors for bad files (docs/domain.md, "Homes", "What a home pays",
 * "Providers"; issue 10, "Bad input"): the home files are the generator's output and look like
 * Flanders; a bad tariff, home or catalogue entry stops the app naming the file, the entry and the field.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLED_DATA_DIR, loadHomes, parseHomesFile } from '../../apps/homes/homes-file';
import { BUNDLED_TARIFFS, loadNetworkTariffs } from '../../apps/homes/network-tariffs';
import { DataFileError } from '../../apps/shared/data-file';
import { gs1CheckDigit, isValidEan18, makeEan18 } from '../../apps/shared/ean';
import { REGIONS } from '../../apps/shared/env';
import { loadProviders } from '../../apps/utilities/catalogue';
import { STRATEGIES } from '../../apps/utilities/model/strategies';
import { PLACES } from '../../apps/homes/model/belgian-places';
import { formatHomesFile, generateHomes } from '../../apps/homes/model/generate-homes';

const dir = mkdtempSync(join(tmpdir(), 'cortexiq-data-'));
/** Writes `data` (JSON unless a string) to a temp file and returns its path. */
function write(name: string, data: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data));
  return file;
}
const shippedTariffs = (): Record<string, unknown>[] => JSON.parse(readFileSync(BUNDLED_TARIFFS, 'utf8'));

describe('EAN-18', () => {
  it('computes the GS1 mod-10 check digit', () => {
    expect(gs1CheckDigit('629104150021')).toBe(3); // EAN-13 6291041500213
    const ean = makeEan18('541449', 123);
    expect(ean).toHaveLength(18);
    expect(isValidEan18(ean)).toBe(true);
    expect(isValidEan18(ean.slice(0, 17) + String((Number(ean[17]) + 1) % 10))).toBe(false);
  });
});

describe('shipped homes', () => {
  const all = REGIONS.flatMap((region) => loadHomes([`${region}-1000`], region));

  it.each(REGIONS)('%s: are exactly what the seeded generator writes', (region) => {
    const generated = generateHomes(region, 1000);
    expect(readFileSync(join(BUNDLED_DATA_DIR, `${region}-1000.json`), 'utf8')).toBe(
      formatHomesFile(generated),
    );
    expect(readFileSync(join(BUNDLED_DATA_DIR, `${region}.json`), 'utf8')).toBe(
      formatHomesFile(generated.slice(0, 50)),
    );
  });

  it.each(REGIONS)('%s: real places of the region, one valid Belgian electricity EAN per home', (region) => {
    const homes = loadHomes([`${region}-1000`], region);
    const places = new Map(PLACES[region].map((p) => [p.city, p]));
    for (const h of homes) {
      const place = places.get(h.address.city);
      expect(place?.postalCode).toBe(h.address.postal_code);
      expect(h.address.region).toBe(region);
      expect(isValidEan18(h.meters.electricity_ean)).toBe(true);
      expect(h.meters.electricity_ean.startsWith('541449')).toBe(true);
      if (h.meters.gas_ean) expect(isValidEan18(h.meters.gas_ean)).toBe(true);
    }
  });

  it('have unique ids and EANs across the regions', () => {
    expect(new Set(all.map((h) => h.id)).size).toBe(all.length);
    const eans = all.flatMap((h) => [
      h.meters.electricity_ean,
      ...(h.meters.gas_ean ? [h.meters.gas_ean] : []),
    ]);
    expect(new Set(eans).size).toBe(eans.length);
  });

  it('look like Flanders: PV on about half, batteries on a minority at 1–1.5 kWh per kWp, ~3,500 kWh', () => {
    for (const region of REGIONS) {
      const homes = loadHomes([`${region}-1000`], region);
      const pv = homes.filter((h) => h.solar_capacity_kw > 0);
      const batteries = homes.filter((h) => h.battery_capacity_kwh > 0);
      expect(pv.length / homes.length).toBeGreaterThanOrEqual(0.4);
      expect(pv.length / homes.length).toBeLessThanOrEqual(0.6);
      expect(batteries.length / homes.length).toBeLessThan(0.25);
      expect(batteries.length).toBeGreaterThan(0);
      for (const h of pv) {
        expect(h.solar_capacity_kw).toBeGreaterThanOrEqual(3);
        expect(h.solar_capacity_kw).toBeLessThanOrEqual(8);
      }
      for (const h of batteries) {
        expect(h.solar_capacity_kw).toBeGreaterThan(0);
        // Rounded to 0.1 kWh, hence the 0.05 either side.
        expect(h.battery_capacity_kwh).toBeGreaterThanOrEqual(h.solar_capacity_kw - 0.05);
        expect(h.battery_capacity_kwh).toBeLessThanOrEqual(1.5 * h.solar_capacity_kw + 0.05);
      }
      const mean = homes.reduce((a, h) => a + h.annual_consumption_kwh, 0) / homes.length;
      expect(mean).toBeGreaterThanOrEqual(3000);
      expect(mean).toBeLessThanOrEqual(4000);
      // Spread like households: small flats and big houses, not one size.
      const sorted = homes.map((h) => h.annual_consumption_kwh).sort((a, b) => a - b);
      expect(sorted[Math.floor(0.1 * sorted.length)]).toBeLessThan(2200);
      expect(sorted[Math.floor(0.9 * sorted.length)]).toBeGreaterThan(5000);
    }
  });
});

describe('bad homes files', () => {
  const good = () => generateHomes('antwerp', 3) as unknown as Record<string, unknown>[];
  const field = (index: number, key: string, value: unknown) => {
    const homes = good();
    homes[index][key] = value;
    return homes;
  };

  it.each([
    ['annual_consumption_kwh', 0, 'must be above 0 kWh'],
    ['annual_consumption_kwh', -1200, 'must be above 0 kWh'],
    ['solar_capacity_kw', 50.5, 'at most 50 kWp'],
    ['solar_capacity_kw', -1, 'must not be negative'],
  ])('%s = %s: names the file, the entry and the field', (key, value, message) => {
    const file = write(`home-${key}-${value}.json`, field(1, key, value));
    expect(() => loadHomes([file], 'antwerp')).toThrow(DataFileError);
    expect(() => loadHomes([file], 'antwerp')).toThrow(
      `homes file ${file}, entry 1, field ${key}: ${message}`,
    );
  });

  it('names the nested field of a bad EAN, and refuses other regions, duplicates and bad JSON', () => {
    const homes = good() as unknown as { meters: { electricity_ean: string } }[];
    homes[2].meters.electricity_ean = '541449000000000000';
    const file = write('bad-ean.json', homes);
    expect(() => loadHomes([file], 'antwerp')).toThrow(
      `homes file ${file}, entry 2, field meters.electricity_ean: bad GS1 check digit`,
    );
    const ok = write('ok.json', good());
    expect(() => loadHomes([ok], 'brabant')).toThrow(/entry 0, field address\.region: home is in 'antwerp'/);
    expect(() => loadHomes([ok, ok], 'antwerp')).toThrow(/entry 0, field id: duplicate home id 'ant-0001'/);
    expect(() => parseHomesFile('x.json', '[{')).toThrow(/homes file x\.json: not valid JSON/);
    expect(() => loadHomes(['no-such-file'], 'antwerp')).toThrow(/from HOMES_SOURCES 'no-such-file'/);
  });
});

describe('network tariffs', () => {
  it('ships every region once, with its public source, in a believable 2025 range', () => {
    const t = loadNetworkTariffs();
    expect(Object.keys(t).sort()).toEqual([...REGIONS].sort());
    for (const region of REGIONS) {
      expect(t[region].perKwh).toBeGreaterThan(0.08);
      expect(t[region].perKwh).toBeLessThan(0.2);
      expect(t[region].minimumPeakKw).toBe(2.5);
    }
    for (const entry of shippedTariffs()) expect(String(entry.source)).toMatch(/VREG/);
  });

  it('a missing region names the file and the field', () => {
    const file = write('tariffs-missing.json', shippedTariffs().slice(0, 2));
    expect(() => loadNetworkTariffs(file)).toThrow(DataFileError);
    expect(() => loadNetworkTariffs(file)).toThrow(
      `network tariffs file ${file}, field region: missing region(s): east-flanders`,
    );
  });

  it('a negative price names the file, the entry and the field', () => {
    const entries = shippedTariffs();
    entries[1].distribution_eur_per_kwh = -0.01;
    const file = write('tariffs-negative.json', entries);
    expect(() => loadNetworkTariffs(file)).toThrow(
      `network tariffs file ${file}, entry 1, field distribution_eur_per_kwh: must not be negative`,
    );
    const capacity = shippedTariffs();
    capacity[2].capacity_eur_per_kw_month = -4;
    const other = write('tariffs-capacity.json', capacity);
    expect(() => loadNetworkTariffs(other)).toThrow(
      `entry 2, field capacity_eur_per_kw_month: must not be negative`,
    );
  });

  it('a duplicate region or a missing source is refused', () => {
    const entries = shippedTariffs();
    const dup = write('tariffs-dup.json', [...entries, entries[0]]);
    expect(() => loadNetworkTariffs(dup)).toThrow(
      `network tariffs file ${dup}, entry 3, field region: duplicate region 'antwerp'`,
    );
    const nameless = shippedTariffs();
    delete nameless[0].source;
    expect(() => loadNetworkTariffs(write('tariffs-nosource.json', nameless))).toThrow(
      /entry 0, field source/,
    );
  });
});

describe('provider catalogue', () => {
  it.each(REGIONS)('%s: five suppliers covering the five strategies, priced like 2025', (region) => {
    const providers = loadProviders(['providers'], region, 5);
    expect(new Set(providers.map((p) => p.strategy))).toEqual(new Set(STRATEGIES));
    for (const { terms } of providers) {
      for (const energy of [terms.day_buy_price, terms.night_buy_price]) {
        expect(energy).toBeGreaterThanOrEqual(0.09);
        expect(energy).toBeLessThanOrEqual(0.16);
      }
      for (const injection of [terms.day_sell_price, terms.night_sell_price]) {
        expect(injection).toBeGreaterThanOrEqual(0.01);
        expect(injection).toBeLessThanOrEqual(0.06);
      }
    }
  });

  it('an injection price above the energy price names the file, the entry and the field', () => {
    const file = write('providers-injection.json', [
      { id: 'ok', name: 'OK', region: 'antwerp', strategy: 'steady_eddie' },
      { id: 'generous', name: 'Generous', region: 'antwerp', strategy: 'night_owl', night_sell_price: 0.095 },
    ]);
    expect(() => loadProviders([file], 'antwerp', 1)).toThrow(DataFileError);
    // night_owl's night energy price is 0.092 €/kWh.
    expect(() => loadProviders([file], 'antwerp', 1)).toThrow(
      `providers file ${file}, entry 1, field night_sell_price: injection 0.095 €/kWh exceeds the energy price 0.092`,
    );
    const day = write('providers-day.json', [
      {
        id: 'x',
        name: 'X',
        region: 'brabant',
        strategy: 'steady_eddie',
        day_buy_price: 0.1,
        day_sell_price: 0.11,
      },
    ]);
    expect(() => loadProviders([day], 'brabant', 1)).toThrow(`entry 0, field day_sell_price: injection 0.11`);
  });

  it('refuses an unknown strategy, a negative price and more providers than the region has', () => {
    const bad = write('providers-strategy.json', [
      { id: 'x', name: 'X', region: 'antwerp', strategy: 'greedy' },
    ]);
    expect(() => loadProviders([bad], 'antwerp', 1)).toThrow(
      `providers file ${bad}, entry 0, field strategy`,
    );
    const negative = write('providers-negative.json', [
      { id: 'x', name: 'X', region: 'antwerp', strategy: 'steady_eddie', day_buy_price: -0.1 },
    ]);
    expect(() => loadProviders([negative], 'antwerp', 1)).toThrow(
      `entry 0, field day_buy_price: must not be negative`,
    );
    expect(() => loadProviders(['providers'], 'brabant', 6)).toThrow(
      /PROVIDERS_COUNT: 6 providers asked for region 'brabant', the catalogue \(providers\) holds 5/,
    );
  });
});
