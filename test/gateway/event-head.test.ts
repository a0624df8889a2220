/**
 * A live subscription's EVENT header (gateway/core/event-head.ts): encoded once per topic,
 * publisher and stream, with a tracked publication's pubSeq written into it per event; what a
 * client decodes must be the header in full (docs/protocol.md §2, republish).
 */
import { EventHead } from '../../gateway/core/event-head';
import { decodeHeader } from '../../gateway/protocol/header-codec';
import { M } from '../../gateway/protocol/messages';

describe('EventHead', () => {
  it('carries each event’s pubSeq, across changes of topic, publisher and stream', () => {
    const head = new EventHead();
    const cases: Array<[string, string, string, string | null, number]> = [
      ['a.b', 'gw:1', 'gw', 'streamA', 1],
      ['a.b', 'gw:1', 'gw', 'streamA', 2],
      ['a.b', 'gw:1', 'gw', 'streamA', 65_536],
      ['a.b', 'gw:1', 'gw', 'streamA', 0xffffffff],
      ['a.b', 'gw:1', 'gw', 'streamA', 2 ** 40],
      ['a.b', 'gw:1', 'gw', 'streamA', 3],
      ['a.c', 'gw:1', 'gw', 'streamA', 4],
      ['a.c', 'gw:2', 'gw', 'streamB', 7],
      ['a.c', 'gw:2', 'gw', null, 0],
      ['a.c', 'gw:2', 'other', null, 0],
      ['a.c', 'gw:2', 'other', 'streamB', 8],
    ];
    for (const [topic, publisher, gatewayId, stream, pubSeq] of cases) {
      const expected: unknown[] = [M.EVENT, 9, topic, publisher, gatewayId, 0];
      if (stream !== null) expected.push(stream, pubSeq);
      expect(decodeHeader(head.of(9, topic, publisher, gatewayId, stream, pubSeq))).toEqual(expected);
    }
  });
});
