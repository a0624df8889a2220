/**
 * The encoded header of a live subscription's EVENT frames (docs/protocol.md §2). A stream of events
 * mostly repeats its topic, publisher, gateway and pubStream, so the header is encoded once per
 * change of those; a tracked publication's pubSeq, different in every event, is then written into
 * its last five bytes (a MessagePack uint32) instead of encoding the whole header per event.
 */
import { encodeHeaderInto } from '../protocol/header-codec';
import { M } from '../protocol/messages';

/** MessagePack uint32: marker byte and four big-endian bytes. */
const UINT32 = 0xce;
const UINT32_BYTES = 5;
/** A fixarray's marker byte holds its length in the low four bits. */
const FIXARRAY = 0x90;

export class EventHead {
  private topic = '';
  private publisher = '';
  private gatewayId = '';
  private stream: string | null = null;
  private head: Buffer | undefined;

  /**
   * The header for one event; valid until the next call (the caller copies it into the transport
   * or queue at once, as Outbound.event does).
   */
  of(
    subId: number,
    topic: string,
    publisher: string,
    gatewayId: string,
    stream: string | null,
    pubSeq: number,
  ): Buffer {
    // A number past uint32 (a client past 4 billion publications) is encoded in full.
    if (stream !== null && pubSeq > 0xffffffff)
      return encodeHeaderInto([M.EVENT, subId, topic, publisher, gatewayId, 0, stream, pubSeq]);
    if (
      !this.head ||
      topic !== this.topic ||
      publisher !== this.publisher ||
      gatewayId !== this.gatewayId ||
      stream !== this.stream
    ) {
      this.head = build(subId, topic, publisher, gatewayId, stream);
      this.topic = topic;
      this.publisher = publisher;
      this.gatewayId = gatewayId;
      this.stream = stream;
    }
    if (stream !== null) this.head.writeUInt32BE(pubSeq, this.head.length - 4);
    return this.head;
  }
}

/** `[EVENT, subId, topic, publisher, gatewayId, 0]`, and with a stream `…, stream, <uint32>`. */
function build(
  subId: number,
  topic: string,
  publisher: string,
  gatewayId: string,
  stream: string | null,
): Buffer {
  if (stream === null) return Buffer.from(encodeHeaderInto([M.EVENT, subId, topic, publisher, gatewayId, 0]));
  const prefix = encodeHeaderInto([M.EVENT, subId, topic, publisher, gatewayId, 0, stream]);
  const head = Buffer.allocUnsafe(prefix.length + UINT32_BYTES);
  prefix.copy(head, 0);
  // Seven fields encoded, eight in the frame: the pubSeq follows.
  head[0] = FIXARRAY | 8;
  head[prefix.length] = UINT32;
  return head;
}
