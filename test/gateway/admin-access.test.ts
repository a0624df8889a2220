/**
 * Who may use the admin API (docs/protocol.md, admin): the probes are open to everyone (the kubelet
 * reaches them on the pod address); everything else needs ADMIN_TOKEN, or, when none is set, a
 * caller on loopback. Pure: the decision the server applies to each request.
 */
import { accessRefusal } from '../../gateway/admin/server';

describe('admin access without ADMIN_TOKEN', () => {
  it.each(['/health', '/live', '/ready'])('leaves the probe %s open to any address', (path) => {
    expect(accessRefusal(path, undefined, undefined, '192.0.2.7')).toBeUndefined();
  });

  it.each(['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1'])('answers the API to loopback %s', (addr) => {
    expect(accessRefusal('/api/topology', undefined, undefined, addr)).toBeUndefined();
  });

  it.each(['192.0.2.7', '::ffff:10.0.0.5', 'fd00::2', undefined])(
    'refuses the API and /metrics to %s, naming ADMIN_TOKEN',
    (addr) => {
      for (const path of ['/api/subscriptions', '/metrics']) {
        const refused = accessRefusal(path, undefined, undefined, addr);
        expect(refused?.status).toBe(403);
        expect(refused?.body.message).toContain('ADMIN_TOKEN');
      }
    },
  );
});

describe('admin access with ADMIN_TOKEN', () => {
  it('needs the bearer token from anywhere, loopback included', () => {
    expect(accessRefusal('/metrics', 't0ken', 'Bearer t0ken', '192.0.2.7')).toBeUndefined();
    expect(accessRefusal('/metrics', 't0ken', undefined, '127.0.0.1')?.status).toBe(401);
    expect(accessRefusal('/metrics', 't0ken', 'Bearer wrong', '192.0.2.7')?.status).toBe(401);
  });
});
