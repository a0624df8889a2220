/**
 * The provider catalogue (docs/domain.md, "Providers"): JSON files of providers, each with a strategy whose preset
 * values any field may override. `PROVIDERS_COUNT` providers of `REGION` are taken in catalogue order;
 * asking for more than the catalogue holds for the region is a startup error.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { DataFileError, describeEntry, readJsonArrays } from '../shared/data-file';
import { REGIONS, type Region } from '../shared/env';
import { PRESETS, STRATEGIES, type Strategy, type Terms } from './model/strategies';

export const BUNDLED_DATA_DIR = join(__dirname, 'data');

const price = z.number().min(0, 'must not be negative').max(1, 'expected €/kWh (at most 1)');

export const providerEntrySchema = z.object({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'expected lower-case letters, digits, _ and - (used in RPC names)'),
  name: z.string().min(1),
  region: z.enum(REGIONS),
  strategy: z.enum(STRATEGIES),
  day_buy_price: price.optional(),
  night_buy_price: price.optional(),
  day_sell_price: price.optional(),
  night_sell_price: price.optional(),
  buy_markup: price.optional(),
  sell_markdown: price.optional(),
  fixed_fee_per_year: z.number().min(0, 'must not be negative').max(1000).optional(),
  switching_discount: z.number().min(0).max(10_000).optional(),
  minimum_monthly_kwh: z.number().min(0).max(100_000).optional(),
  contract_type_mix: z
    .object({ static: z.number().min(0), dynamic: z.number().min(0) })
    .refine((m) => m.static + m.dynamic > 0, 'static + dynamic must be positive')
    .optional(),
  duration_months: z.number().int().min(1).max(60).optional(),
  /** Market share the strategy aims for; default 1 / number of providers in the mesh. */
  market_share_target: z.number().gt(0).max(1).optional(),
});
export type ProviderEntry = z.output<typeof providerEntrySchema>;

export interface ProviderDefinition {
  id: string;
  name: string;
  region: Region;
  strategy: Strategy;
  terms: Terms;
  marketShareTarget?: number;
}

export function resolveDefinition(entry: ProviderEntry): ProviderDefinition {
  const preset = PRESETS[entry.strategy];
  const mix = entry.contract_type_mix;
  const terms: Terms = {
    day_buy_price: entry.day_buy_price ?? preset.day_buy_price,
    night_buy_price: entry.night_buy_price ?? preset.night_buy_price,
    day_sell_price: entry.day_sell_price ?? preset.day_sell_price,
    night_sell_price: entry.night_sell_price ?? preset.night_sell_price,
    buy_markup: entry.buy_markup ?? preset.buy_markup,
    sell_markdown: entry.sell_markdown ?? preset.sell_markdown,
    fixed_fee_per_year: entry.fixed_fee_per_year ?? preset.fixed_fee_per_year,
    switching_discount: entry.switching_discount ?? preset.switching_discount,
    minimum_monthly_kwh: entry.minimum_monthly_kwh ?? preset.minimum_monthly_kwh,
    dynamic_share: mix ? mix.dynamic / (mix.static + mix.dynamic) : preset.dynamic_share,
    duration_months: entry.duration_months ?? preset.duration_months,
  };
  return {
    id: entry.id,
    name: entry.name,
    region: entry.region,
    strategy: entry.strategy,
    terms,
    marketShareTarget: entry.market_share_target,
  };
}

/** Injection may never pay more than the energy price of the same register. */
export function injectionProblem(t: Terms): { field: string; message: string } | null {
  if (t.day_sell_price > t.day_buy_price)
    return {
      field: 'day_sell_price',
      message: `injection ${t.day_sell_price} €/kWh exceeds the energy price ${t.day_buy_price}`,
    };
  if (t.night_sell_price > t.night_buy_price)
    return {
      field: 'night_sell_price',
      message: `injection ${t.night_sell_price} €/kWh exceeds the energy price ${t.night_buy_price}`,
    };
  return null;
}

/** Loads the catalogue and picks the first `count` providers of `region`. */
export function loadProviders(
  sources: string[],
  region: Region,
  count: number,
  dataDir = BUNDLED_DATA_DIR,
): ProviderDefinition[] {
  const seen = new Map<string, string>();
  const all: ProviderDefinition[] = [];
  for (const { file, entries } of readJsonArrays(
    'providers',
    'PROVIDERS_SOURCES',
    sources,
    dataDir,
    providerEntrySchema,
  )) {
    entries.forEach((entry, index) => {
      const earlier = seen.get(entry.id);
      if (earlier) {
        throw new DataFileError(
          describeEntry(
            'providers',
            file,
            index,
            ['id'],
            `duplicate provider id '${entry.id}' (also in ${earlier})`,
          ),
        );
      }
      seen.set(entry.id, file);
      const def = resolveDefinition(entry);
      const problem = injectionProblem(def.terms);
      if (problem)
        throw new DataFileError(describeEntry('providers', file, index, [problem.field], problem.message));
      all.push(def);
    });
  }
  const inRegion = all.filter((p) => p.region === region);
  if (count > inRegion.length) {
    throw new DataFileError(
      `PROVIDERS_COUNT: ${count} providers asked for region '${region}', the catalogue (${sources.join(', ')}) holds ${inRegion.length}`,
    );
  }
  return inRegion.slice(0, count);
}
