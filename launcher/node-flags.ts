/**
 * The Node flags of each process the CLI starts, by its CLI arguments (`gateway`, `app <name>`):
 * one table for the launcher, the benchmarks and the container image (Dockerfile, checked by
 * test/stacks/dockerfile.test.ts).
 */
import { PROJECTIONS_NODE_FLAGS } from '../apps/projections/runtime-flags';
import { GATEWAY_NODE_FLAGS } from '../gateway/runtime-flags';

/** Flags per image name; images not listed run with Node's defaults. */
export const NODE_FLAGS: Readonly<Record<string, readonly string[]>> = {
  gateway: GATEWAY_NODE_FLAGS,
  projections: PROJECTIONS_NODE_FLAGS,
};

/** The flags for a process started with these CLI arguments. */
export function nodeFlagsFor(cliArgs: readonly string[]): readonly string[] {
  const image = cliArgs[0] === 'app' ? cliArgs[1] : cliArgs[0];
  return (image !== undefined && NODE_FLAGS[image]) || [];
}
