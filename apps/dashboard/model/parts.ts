/**
 * The parts of the live view model a browser receives over SSE: the whole set on connect, then each
 * part an event changed. Kept apart from live-state.ts so the browser bundle imports the names
 * without the server's model.
 */
export const PARTS = [
  'overview',
  'clock',
  'history',
  'prices',
  'throughput',
  'providers',
  'regions',
  'locations',
] as const;
export type Part = (typeof PARTS)[number];

/** What the server pushes besides the model's parts. */
export const SERVER_PARTS = ['status', 'mesh'] as const;
