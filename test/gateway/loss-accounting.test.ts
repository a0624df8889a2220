/**
 * The pieces of loss accounting (docs/loss.md), without a network: a link's buffered messages
 * given up at the window's end come back as runs per destination, and the part the neighbour says
 * it had received is retracted; the hold toward unreachable gateways is bounded; the ledger's net
 * figure is lost less retracted.
 */
import pino from 'pino';
import { PeerLink, type MeshMessage } from '../../gateway/mesh/link';
import { HeldMessages } from '../../gateway/mesh/held';
import { LossLedger } from '../../gateway/mesh/loss-ledger';
import { K } from '../../gateway/protocol/messages';
import type { Connection } from '../../gateway/transport/transport';

function message(msgId: number, dests: string[]): MeshMessage {
  return {
    origin: 'g1',
    originEpoch: 1,
    msgId,
    hops: 0,
    pubSeq: 0,
    dests,
    destSeqs: dests.map(() => msgId),
    body: [K.PUB, 'be.x', 'p'],
    payload: Buffer.from('hello'),
  };
}

const fakeConn = (): Connection => ({ write: () => undefined }) as unknown as Connection;

describe('loss accounting', () => {
  it('gives up a down link’s buffer in runs per destination set, and retracts what had arrived', () => {
    const link = new PeerLink('g2', 1 << 20);
    link.attach(fakeConn(), 0);
    for (let i = 1; i <= 5; i++) link.send(message(i, ['g3'])); // written, never acknowledged
    link.detach();
    for (let i = 6; i <= 8; i++) link.send(message(i, ['g3'])); // buffered while down
    link.send(message(9, ['g3', 'g4']));
    const runs = link.expire();
    expect(runs.map((r) => [r.dests, r.first, r.last, r.count])).toEqual([
      [['g3'], 'g1#1', 'g1#8', 8],
      [['g3', 'g4'], 'g1#9', 'g1#9', 1],
    ]);
    expect(link.pendingCount).toBe(0);
    // Back: the neighbour had received up to link sequence 3 before the cut.
    const arrived = link.settleExpired(3);
    expect(arrived.map((r) => [r.dests, r.count])).toEqual([[['g3'], 3]]);
    expect(link.settleExpired(3)).toEqual([]);
  });

  it('holds toward unreachable gateways within a byte bound, in order, with copied payloads', () => {
    const held = new HeldMessages(1000);
    const msg = message(1, ['g3', 'g4']);
    expect(held.hold('g3', msg)).toBe(true);
    expect(held.hold('g3', message(2, ['g3']))).toBe(true);
    let refused = 0;
    for (let i = 3; i < 100; i++) if (!held.hold('g4', message(i, ['g4']))) refused++;
    expect(refused).toBeGreaterThan(80);
    expect(held.heldBytes).toBeLessThanOrEqual(1000);
    const out = held.take('g3');
    expect(out.map((m) => [m.msgId, m.dests])).toEqual([
      [1, ['g3']],
      [2, ['g3']],
    ]);
    expect(out[0].payload).not.toBe(msg.payload);
    expect(held.take('g3')).toEqual([]);
    held.take('g4');
    expect([held.heldCount, held.heldBytes]).toEqual([0, 0]);
  });

  it('reports lost less retracted per destination', () => {
    const ledger = new LossLedger(pino({ level: 'silent' }));
    ledger.lost('g3', 'replay_expired', 'g1#1', 'g1#8', 8);
    ledger.lost('g3', 'forgotten', 'g1#9');
    ledger.lost('g4', 'held_expired', 'g1#9');
    ledger.retract('g3', 3, 'g1#1', 'g1#3');
    expect(ledger.netLost('g3')).toBe(6);
    expect(ledger.netLost('g4')).toBe(1);
    expect(Object.fromEntries(ledger.totals.get('g3')!)).toEqual({ replay_expired: 8, forgotten: 1 });
    ledger.stop();
  });
});
