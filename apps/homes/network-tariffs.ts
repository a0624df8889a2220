/**
 * Regulated network costs and levies per region (docs/domain.md, "What a home pays"): the same for
 * every supplier, read from a tariff file that names its public source. A missing region, a duplicate
 * or a negative price stops the app at start, naming the file, the entry and the field.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { DataFileError, describeEntry, readJsonArrays } from '../shared/data-file';
import { REGIONS, type Region } from '../shared/env';

export const BUNDLED_TARIFFS = join(__dirname, 'data', 'network-tariffs.json');
/** Belgian VAT on household electricity. */
export const VAT_RATE = 0.06;

const perKwh = z.number().min(0, 'must not be negative').max(1, 'expected €/kWh (at most 1)');

export const networkTariffSchema = z.object({
  region: z.enum(REGIONS),
  grid_operator: z.string().min(1),
  source: z.string().min(10, 'name the public source of these figures'),
  distribution_eur_per_kwh: perKwh,
  transmission_eur_per_kwh: perKwh,
  excise_eur_per_kwh: perKwh,
  contributions_eur_per_kwh: perKwh,
  capacity_eur_per_kw_month: z.number().min(0, 'must not be negative').max(100),
  minimum_peak_kw: z.number().min(0, 'must not be negative').max(50),
  data_management_eur_per_year: z.number().min(0, 'must not be negative').max(1000),
});
export type NetworkTariffEntry = z.output<typeof networkTariffSchema>;

/** What the homes model needs of a region's tariff. */
export interface NetworkTariff {
  region: Region;
  /** Every per-kWh network cost and levy, excl. VAT. */
  perKwh: number;
  capacityPerKwMonth: number;
  minimumPeakKw: number;
  dataFeePerYear: number;
}

export function toNetworkTariff(e: NetworkTariffEntry): NetworkTariff {
  return {
    region: e.region,
    perKwh:
      e.distribution_eur_per_kwh +
      e.transmission_eur_per_kwh +
      e.excise_eur_per_kwh +
      e.contributions_eur_per_kwh,
    capacityPerKwMonth: e.capacity_eur_per_kw_month,
    minimumPeakKw: e.minimum_peak_kw,
    dataFeePerYear: e.data_management_eur_per_year,
  };
}

/** Reads a tariff file; every region must appear exactly once. */
export function loadNetworkTariffs(source = BUNDLED_TARIFFS): Record<Region, NetworkTariff> {
  const [{ file, entries }] = readJsonArrays(
    'network tariffs',
    'NETWORK_TARIFFS',
    [source],
    join(__dirname, 'data'),
    networkTariffSchema,
  );
  const out: Partial<Record<Region, NetworkTariff>> = {};
  entries.forEach((e, index) => {
    if (out[e.region]) {
      throw new DataFileError(
        describeEntry('network tariffs', file, index, ['region'], `duplicate region '${e.region}'`),
      );
    }
    out[e.region] = toNetworkTariff(e);
  });
  const missing = REGIONS.filter((r) => !out[r]);
  if (missing.length > 0) {
    throw new DataFileError(
      describeEntry('network tariffs', file, null, ['region'], `missing region(s): ${missing.join(', ')}`),
    );
  }
  return out as Record<Region, NetworkTariff>;
}
