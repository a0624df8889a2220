/** The workload order of each cluster (stacks/order.ts): PostgreSQL → gateway → apps on the hub, gateway → apps on edges. */
import * as path from 'node:path';
import {
  deriveTopology,
  loadStackFile,
  parseStackConfig,
  workloadOrder,
  type StackConfig,
} from '../../stacks';

const root = path.join(__dirname, '..', '..');
const dev = loadStackFile('dev', root).config;

test('hub: PostgreSQL first, then the gateway, then the apps; database apps also wait for PostgreSQL', () => {
  const hub = deriveTopology(dev).clusters.find((c) => c.role === 'hub')!;
  expect(workloadOrder(hub)).toEqual([
    { workload: 'postgres', after: [] },
    { workload: 'macula-gateway', after: ['postgres'] },
    { workload: 'simulation', after: ['macula-gateway'] },
    { workload: 'projections', after: ['macula-gateway', 'postgres'] },
    { workload: 'queries', after: ['macula-gateway', 'postgres'] },
    { workload: 'dashboard', after: ['macula-gateway', 'postgres'] },
  ]);
});

test('edges: the gateway first, then homes and utilities; no PostgreSQL', () => {
  for (const edge of deriveTopology(dev).clusters.filter((c) => c.role === 'edge'))
    expect(workloadOrder(edge)).toEqual([
      { workload: 'macula-gateway', after: [] },
      { workload: 'homes', after: ['macula-gateway'] },
      { workload: 'utilities', after: ['macula-gateway'] },
    ]);
});

test('every stack and layout: each step comes after everything it waits for, and every workload is placed once', () => {
  const layouts: StackConfig['mesh'][] = [{ layout: 'full' }, { layout: 'ring' }, { layout: 'hub' }];
  for (const stack of ['dev', 'staging'])
    for (const mesh of layouts) {
      const c = parseStackConfig({ ...JSON.parse(JSON.stringify(loadStackFile(stack, root).config)), mesh });
      for (const node of deriveTopology(c).clusters) {
        const steps = workloadOrder(node);
        const names = steps.map((s) => s.workload);
        expect(new Set(names).size).toBe(names.length);
        expect(names.slice(node.postgres ? 2 : 1).sort()).toEqual(node.apps.map((a) => a.app).sort());
        steps.forEach((s, i) => {
          for (const dep of s.after) expect(names.indexOf(dep)).toBeGreaterThanOrEqual(0);
          for (const dep of s.after) expect(names.indexOf(dep)).toBeLessThan(i);
        });
      }
    }
});
