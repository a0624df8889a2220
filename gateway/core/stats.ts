/**
 * Plain counters on the hot path (an array increment per message); prom-client reads them only when
 * /metrics is scraped (gateway/admin/metrics.ts), so counting never costs a label lookup.
 */
import { frameType, headType, PREFIX_BYTES } from '../protocol/frames';
import { M } from '../protocol/messages';

const NAMES = new Map<number, string>(Object.entries(M).map(([name, n]) => [n, name.toLowerCase()]));

export function messageKindName(type: number): string {
  return NAMES.get(type) ?? `type_${type}`;
}

export class GatewayStats {
  readonly messagesIn = new Float64Array(64);
  readonly messagesOut = new Float64Array(64);
  /** Bytes on the wire by message type, in and out (clients and mesh links alike). */
  readonly bytesIn = new Float64Array(64);
  readonly bytesOut = new Float64Array(64);
  slowConsumerDrops = 0;
  malformedFrames = 0;
  refusedSessions = 0;
  refusedPeers = 0;
  meshForwarded = 0;
  meshDelivered = 0;
  meshReplayed = 0;
  meshReplayDropped = 0;
  meshUnroutable = 0;
  meshDuplicates = 0;
  /** Republished tracked publications dropped as already handled (docs/protocol.md §2). */
  publicationDuplicates = 0;
  /** PUBACK batches acknowledged without their link's acknowledgement, after ACK_WAIT_MS (mesh.ts). */
  pubAckWaitsExpired = 0;
  meshLinkOverflow = 0;

  /** A received frame of message type `type`, `bytes` long on the wire. */
  countIn(type: number, bytes: number): void {
    this.messagesIn[type & 63]++;
    this.bytesIn[type & 63] += bytes;
  }

  /** An encoded frame about to be written (to a client or a mesh link). */
  countOut(frame: Uint8Array): void {
    const kind = frameType(frame);
    this.messagesOut[kind]++;
    this.bytesOut[kind] += frame.length;
  }

  /** countOut for a frame written as its encoded header and payload (Connection.writeFrame). */
  countOutParts(head: Uint8Array, payloadBytes: number): void {
    const kind = headType(head);
    this.messagesOut[kind]++;
    this.bytesOut[kind] += PREFIX_BYTES + head.length + payloadBytes;
  }
}
