/**
 * Node flags the projections worker runs with, wherever it is started (the local launcher, the
 * benchmark, the container image); V8 reads them once at start, so they go to `node` itself.
 *
 * Left to itself on a large machine V8 lets the old generation grow long before collecting it: at
 * 30,000 events/s the worker peaked at 449 MB, close to the 512 MiB limit its pod gets
 * (stacks/placement.ts), although what it holds live is bounded by PROJECTIONS_MAX_IN_FLIGHT. With
 * a 256 MB old generation and a 32 MiB young one (more of a batch's events die young) it peaked at
 * 226–334 MB over six runs, at the same CPU per event and lag (`npm run bench:projections`,
 * docs/read-side.md). The old generation's cap bounds PROJECTIONS_MAX_IN_FLIGHT (config.ts).
 */
export const PROJECTIONS_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=32',
  '--max-old-space-size=256',
];
