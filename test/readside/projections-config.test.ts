/** The projections app's settings (apps/projections/config.ts): bounds that protect its heap. */
import { projectionsConfigFromEnv } from '../../apps/projections/config';

const BASE = { MACULA_URL: 'https://127.0.0.1:9443' };

test('PROJECTIONS_MAX_IN_FLIGHT stops at 200,000, as the worker heap is capped at 256 MB', () => {
  expect(projectionsConfigFromEnv({ ...BASE, PROJECTIONS_MAX_IN_FLIGHT: '200000' }).maxInFlight).toBe(
    200_000,
  );
  expect(() => projectionsConfigFromEnv({ ...BASE, PROJECTIONS_MAX_IN_FLIGHT: '200001' })).toThrow(
    /PROJECTIONS_MAX_IN_FLIGHT/,
  );
  expect(projectionsConfigFromEnv(BASE).maxInFlight).toBe(50_000);
});
