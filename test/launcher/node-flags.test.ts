/** Which Node flags each process the CLI starts gets (launcher/node-flags.ts). */
import { nodeFlagsFor } from '../../launcher/node-flags';

test('the gateway and the projections get their tuned flags, other apps none', () => {
  expect(nodeFlagsFor(['gateway'])).toEqual(['--max-semi-space-size=4']);
  expect(nodeFlagsFor(['app', 'projections'])).toEqual([
    '--max-semi-space-size=32',
    '--max-old-space-size=256',
  ]);
  for (const app of ['simulation', 'homes', 'utilities', 'queries', 'dashboard'])
    expect(nodeFlagsFor(['app', app])).toEqual([]);
  expect(nodeFlagsFor(['postgres'])).toEqual([]);
  expect(nodeFlagsFor([])).toEqual([]);
});
