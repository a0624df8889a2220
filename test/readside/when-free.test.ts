/** A restarted app waits out what the gateway still holds for its dead session (apps/shared/register). */
import { GatewayError } from '../../gateway/client';
import { whenFree } from '../../apps/shared/register';
import { createLogger } from '../../apps/shared/logger';

const log = createLogger('when-free-test');

describe('whenFree', () => {
  it('retries while the gateway answers already_exists, then returns what the attempt gives', async () => {
    let calls = 0;
    const got = await whenFree(
      async () => {
        if (++calls < 3) throw new GatewayError('already_exists', 'held by another connected session');
        return 'subscribed';
      },
      { durable: 'd' },
      log,
    );
    expect(got).toBe('subscribed');
    expect(calls).toBe(3);
  });

  it('other errors, and already_exists past the wait, are thrown at once', async () => {
    let calls = 0;
    const denied = whenFree(
      async () => {
        calls++;
        throw new GatewayError('unauthorized', 'belongs to another client id');
      },
      { durable: 'd' },
      log,
    );
    await expect(denied).rejects.toMatchObject({ code: 'unauthorized' });
    expect(calls).toBe(1);
    const held = whenFree(
      async () => {
        throw new GatewayError('already_exists', 'held');
      },
      { durable: 'd' },
      log,
      0,
    );
    await expect(held).rejects.toMatchObject({ code: 'already_exists' });
  });
});
