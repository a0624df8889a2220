/** Shipped data, the generator, and startup errors for bad files and settings (issue 4, "Bad input"). */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLED_DATA_DIR, loadHomes, parseHomesFile } from '../../apps/homes/homes-file';
import { homesConfigFromEnv } from '../../apps/homes/config';
import { loadProviders } from '../../apps/utilities/catalogue';
import { utilitiesConfigFromEnv } from '../../apps/utilities/config';
import { STRATEGIES } from '../../apps/utilities/model/strategies';
import { DataFileError } from '../../apps/shared/data-file';
import { gs1CheckDigit, isValidEan18, makeEan18 } from '../../apps/shared/ean';
import { REGIONS } from '../../apps/shared/env';
import { formatHomesFile, generateHomes } from '../../tools/generate-homes';
import { PLACES } from '../../tools/belgian-places';

describe('EAN-18', () => {
  it('computes the GS1 mod-10 check digit', () => {
    expect(gs1CheckDigit('629104150021')).toBe(3); // EAN-13 6291041500213
    expect(isValidEan18(makeEan18('541449', 123))).toBe(true);
    const ean = makeEan18('541449', 123);
    const wrong = ean.slice(0, 17) + String((Number(ean[17]) + 1) % 10);
    expect(isValidEan18(wrong)).toBe(false);
  });
});

describe('shipped homes', () => {
  it.each(REGIONS)(
    '%s: ≥ 1,000 homes available, about 50 by default, all valid and in the region',
    (region) => {
      const all = loadHomes([`${region}-1000`], region);
      const small = loadHomes([region], region);
      expect(all.length).toBeGreaterThanOrEqual(1000);
      expect(small.length).toBe(50);
      expect(small).toEqual(all.slice(0, 50));
      const places = new Map(PLACES[region].map((p) => [p.city, p]));
      for (const h of all) {
        const place = places.get(h.address.city)!;
        expect(place).toBeDefined();
        expect(h.address.postal_code).toBe(place.postalCode);
        expect(Math.abs(h.address.latitude - place.latitude)).toBeLessThan(0.02);
        expect(h.meters.electricity_day_ean.startsWith('541449')).toBe(true);
      }
      const eans = new Set(
        all.flatMap((h) => [h.meters.electricity_day_ean, h.meters.electricity_night_ean]),
      );
      expect(eans.size).toBe(2 * all.length);
      const kwp = all.map((h) => h.solar_capacity_kw).sort((a, b) => a - b);
      expect(kwp[Math.floor(kwp.length / 2)]).toBeGreaterThan(3.5);
      expect(kwp[Math.floor(kwp.length / 2)]).toBeLessThan(8);
    },
  );

  it('are exactly what the seeded generator produces', () => {
    for (const region of REGIONS) {
      const text = readFileSync(join(BUNDLED_DATA_DIR, `${region}-1000.json`), 'utf8');
      expect(text).toBe(formatHomesFile(generateHomes(region, 1000)));
    }
  });
});

describe('malformed homes files', () => {
  const good = () => generateHomes('antwerp', 3);
  const dir = mkdtempSync(join(tmpdir(), 'cortexiq-homes-'));
  const write = (name: string, data: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data));
    return file;
  };

  it('names the file, the entry index and the field', () => {
    const homes: unknown[] = good();
    (homes[2] as { meters: { electricity_day_ean: string } }).meters.electricity_day_ean =
      '541449000000000000';
    const file = write('bad-ean.json', homes);
    expect(() => loadHomes([file], 'antwerp')).toThrow(
      new DataFileError(`homes file ${file}, entry 2, field meters.electricity_day_ean: bad GS1 check digit`),
    );
    const h2 = good() as unknown as Record<string, unknown>[];
    h2[1].solar_capacity_kw = 'six';
    expect(() => parseHomesFile('x.json', JSON.stringify(h2))).toThrow(
      /x\.json, entry 1, field solar_capacity_kw/,
    );
  });

  it('rejects bad JSON, a non-array, homes of another region and duplicate ids', () => {
    expect(() => loadHomes([write('broken.json', '[{')], 'antwerp')).toThrow(/broken\.json: not valid JSON/);
    expect(() => loadHomes([write('object.json', { homes: [] })], 'antwerp')).toThrow(
      /expected a JSON array/,
    );
    expect(() => loadHomes([write('a.json', good())], 'brabant')).toThrow(
      /entry 0, field address\.region: home is in 'antwerp'/,
    );
    const a = write('dup.json', good());
    expect(() => loadHomes([a, a], 'antwerp')).toThrow(/field id: duplicate home id 'ant-0001'/);
    expect(() => loadHomes(['nope'], 'antwerp')).toThrow(
      /homes file .*nope\.json \(from HOMES_SOURCES 'nope'\)/,
    );
  });
});

describe('provider catalogue', () => {
  it.each(REGIONS)('%s: the default five providers cover the five strategies with real brands', (region) => {
    const providers = loadProviders(['providers'], region, 5);
    expect(new Set(providers.map((p) => p.strategy))).toEqual(new Set(STRATEGIES));
  });

  it('keeps the preset values of domain.md §4 and lets the catalogue override them', () => {
    const [engie, luminus, , , frank, ecopower] = loadProviders(['providers'], 'antwerp', 7);
    expect(engie.terms).toMatchObject({
      day_buy_price: 0.15,
      night_buy_price: 0.12,
      day_sell_price: 0.1,
      night_sell_price: 0.08,
      switching_discount: 15,
    });
    expect(luminus.terms).toMatchObject({
      day_buy_price: 0.22,
      night_buy_price: 0.06,
      day_sell_price: 0.12,
      night_sell_price: 0.04,
      switching_discount: 50,
    });
    expect(frank.terms).toMatchObject({ dynamic_share: 1, switching_discount: 75 });
    expect(ecopower.terms).toMatchObject({ day_buy_price: 0.145, switching_discount: 0 });
  });

  it('refuses more providers than the catalogue holds for the region', () => {
    expect(() => loadProviders(['providers'], 'brabant', 8)).toThrow(
      /PROVIDERS_COUNT: 8 providers asked for region 'brabant', the catalogue \(providers\) holds 7/,
    );
  });

  it('names the file, entry and field of a bad provider', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cortexiq-prov-')), 'p.json');
    writeFileSync(file, JSON.stringify([{ id: 'x', name: 'X', region: 'antwerp', strategy: 'greedy' }]));
    expect(() => loadProviders([file], 'antwerp', 1)).toThrow(
      new RegExp(`providers file ${file}, entry 0, field strategy`),
    );
  });
});

describe('homes and utilities config', () => {
  const base = { MACULA_URL: 'tls://127.0.0.1:9443' };
  it('has defaults and refuses unknown regions and bad numbers', () => {
    expect(homesConfigFromEnv({ ...base, REGION: 'brabant' })).toMatchObject({
      sources: ['brabant'],
      thresholdEur: 50,
    });
    expect(() => homesConfigFromEnv({ ...base, REGION: 'limburg' })).toThrow(
      /REGION: expected one of antwerp, brabant, east-flanders, got "limburg"/,
    );
    expect(() => homesConfigFromEnv(base)).toThrow(/REGION: required/);
    expect(() => homesConfigFromEnv({ ...base, REGION: 'antwerp', SWITCH_THRESHOLD_EUR: '-5' })).toThrow(
      /SWITCH_THRESHOLD_EUR/,
    );
    expect(utilitiesConfigFromEnv({ ...base, REGION: 'antwerp' })).toMatchObject({
      count: 5,
      sources: ['providers'],
    });
    expect(() => utilitiesConfigFromEnv({ ...base, REGION: 'antwerp', PROVIDERS_COUNT: 'five' })).toThrow(
      /PROVIDERS_COUNT: expected an integer/,
    );
    expect(() => utilitiesConfigFromEnv({ MACULA_URL: 'http://x:1', REGION: 'antwerp' })).toThrow(
      /MACULA_URL: expected https/,
    );
  });
});
