/**
 * `npm run bench:program`: evaluates the Pulumi program for the dev stack under mocks and prints the
 * evaluation time and the resource count (target: under 5 s). Runs in-process, no Docker, no CLI.
 */
import { performance } from 'node:perf_hooks';
import * as pulumi from '@pulumi/pulumi';
import { resources, settle, setupMocks, stackConfigMap } from '../test/pulumi/harness';

async function main(): Promise<void> {
  const t0 = performance.now();
  setupMocks('dev');
  pulumi.runtime.setAllConfig(stackConfigMap('dev'));
  const tLoad = performance.now();

  require('../index');
  await settle();
  const tEval = performance.now();
  // settle() waits for 5 quiet 10 ms turns after the last registration; that tail is not program time.
  const byKind = new Map<string, number>();
  for (const r of resources) byKind.set(r.type, (byKind.get(r.type) ?? 0) + 1);
  const custom = resources.filter((r) => !r.type.startsWith('cortex-iq:')).length;
  process.stdout.write(
    [
      `program evaluation (dev stack, mocks): ${((tEval - tLoad) / 1000).toFixed(2)} s (incl. ~50 ms settle wait; setup ${((tLoad - t0) / 1000).toFixed(2)} s)`,
      `resources: ${resources.length} (${custom} custom, ${resources.length - custom} components)`,
      ...[...byKind.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `  ${String(n).padStart(3)}  ${k}`),
      '',
    ].join('\n'),
  );
  process.exit(0);
}

void main();
