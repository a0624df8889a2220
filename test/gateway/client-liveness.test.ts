/**
 * The client's liveness check (gateway/client/liveness.ts): a gateway that says nothing while the
 * client waits for it is pinged, then given up, so a SIGKILLed gateway behind QUIC (which sends no
 * close) is left within a few seconds; a gateway that keeps sending, or a client that waits for
 * nothing, is left alone.
 */
import { DEAD_AFTER_MS, GatewayLiveness, PING_AFTER_MS } from '../../gateway/client/liveness';
import type { ClientConnection } from '../../gateway/client/session';
import { M } from '../../gateway/protocol/messages';

function fakeConnection() {
  const conn = {
    closed: false,
    received: 0,
    sent: [] as unknown[][],
    destroyedWith: undefined as Error | undefined,
    send(header: unknown[]) {
      conn.sent.push(header);
    },
    conn: {
      destroy(err: Error) {
        conn.destroyedWith = err;
        conn.closed = true;
      },
    },
  };
  return conn;
}

describe('GatewayLiveness', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('pings a silent gateway, then gives the connection up', () => {
    const conn = fakeConnection();
    const live = new GatewayLiveness(conn as unknown as ClientConnection, () => true);
    jest.advanceTimersByTime(PING_AFTER_MS + 300);
    expect(conn.sent.some((h) => h[0] === M.PING)).toBe(true);
    expect(conn.destroyedWith).toBeUndefined();
    jest.advanceTimersByTime(DEAD_AFTER_MS);
    expect(conn.destroyedWith?.message).toMatch(/gateway silent/);
    live.stop();
  });

  it('leaves a gateway that keeps sending alone', () => {
    const conn = fakeConnection();
    const live = new GatewayLiveness(conn as unknown as ClientConnection, () => true);
    for (let t = 0; t < 4 * DEAD_AFTER_MS; t += 100) {
      conn.received++;
      jest.advanceTimersByTime(100);
    }
    expect(conn.destroyedWith).toBeUndefined();
    expect(conn.sent).toEqual([]);
    live.stop();
  });

  it('judges no silence while the client waits for nothing', () => {
    const conn = fakeConnection();
    let waiting = false;
    const live = new GatewayLiveness(conn as unknown as ClientConnection, () => waiting);
    jest.advanceTimersByTime(4 * DEAD_AFTER_MS);
    expect(conn.destroyedWith).toBeUndefined();
    // Silence counts from when the client started waiting, not from the last frame.
    waiting = true;
    jest.advanceTimersByTime(DEAD_AFTER_MS - 300);
    expect(conn.destroyedWith).toBeUndefined();
    jest.advanceTimersByTime(600);
    expect(conn.destroyedWith).toBeDefined();
    live.stop();
  });
});
