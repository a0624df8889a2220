/**
 * The data files every stack names (HOMES_SOURCES, PROVIDERS_SOURCES per edge) are files the apps ship in
 * their bundled data folders, and the apps start with them: each edge's homes load for its region and its
 * catalogue holds PROVIDERS_COUNT providers of that region (docs/domain.md, "Homes" and "Providers").
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUNDLED_DATA_DIR as HOMES_DATA, loadHomes } from '../../apps/homes/homes-file';
import { REGIONS, type Region } from '../../apps/shared/env';
import { BUNDLED_DATA_DIR as PROVIDERS_DATA, loadProviders } from '../../apps/utilities/catalogue';
import { loadStackFile } from '../../stacks';

const root = path.join(__dirname, '..', '..');
const stacks = fs
  .readdirSync(root)
  .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
  .filter((s): s is string => s !== undefined)
  .sort();

/** A source as the app resolves a bare name: `<name>` or `<name>.json` in its data folder. */
const bundled = (dir: string, source: string): string =>
  path.join(dir, source.endsWith('.json') ? source : `${source}.json`);

test('the stacks under test are the committed ones', () => {
  expect(stacks).toEqual(expect.arrayContaining(['dev', 'staging']));
});

describe.each(stacks)('Pulumi.%s.yaml', (stack) => {
  const { config } = loadStackFile(stack, root);
  const edges = config.clusters.filter((c) => c.role === 'edge');

  test('names only files shipped in the apps data folders', () => {
    expect(edges.length).toBeGreaterThan(0);
    const missing: string[] = [];
    edges.forEach((edge) => {
      for (const s of edge.homesSources ?? [])
        if (s.includes('/') || !fs.existsSync(bundled(HOMES_DATA, s)))
          missing.push(`${edge.name}.homesSources: ${s} (apps/homes/data)`);
      for (const s of edge.providersSources ?? [])
        if (s.includes('/') || !fs.existsSync(bundled(PROVIDERS_DATA, s)))
          missing.push(`${edge.name}.providersSources: ${s} (apps/utilities/data)`);
    });
    expect(missing).toEqual([]);
  });

  test.each(edges.map((e) => [e.name, e] as const))(
    '%s: the homes and providers apps load them',
    (_n, edge) => {
      expect(REGIONS).toContain(edge.region);
      const region = edge.region as Region;
      const homes = loadHomes([...edge.homesSources!], region);
      expect(homes.length).toBeGreaterThan(0);
      expect(new Set(homes.map((h) => h.address.region))).toEqual(new Set([region]));
      const count = edge.providersCount ?? config.providersCount;
      expect(loadProviders([...edge.providersSources!], region, count)).toHaveLength(count);
    },
  );
});
