/**
 * One mesh link's reliable session with a neighbour (gateway.md §3 "Link failure"). It outlives
 * the connection: every data message gets a per-link sequence number and stays buffered until the
 * neighbour acknowledges it, so when a connection drops and a new one comes up within the replay
 * window, exactly what the neighbour did not receive is sent again, in order. The buffer is
 * bounded in bytes; what overflows or outlives the window is counted, never dropped silently.
 */
import { encodeFrame } from '../protocol/frames';
import { M } from '../protocol/messages';
import type { Connection } from '../transport/transport';

/** A routed message: enough to re-encode it for another hop or another link. */
export interface MeshMessage {
  origin: string;
  originEpoch: number;
  msgId: number;
  hops: number;
  dests: string[];
  /** Kind and its fields: [kind, ...fields] (see protocol/messages.ts K). */
  body: unknown[];
  payload: Buffer;
}

interface Buffered {
  seq: number;
  msg: MeshMessage;
  bytes: number;
}

const ACK_EVERY = 512;
const ACK_DELAY_MS = 20;

export class PeerLink {
  conn: Connection | undefined;
  /** When the connection dropped (undefined while connected). */
  downSince: number | undefined;
  private outSeq = 0;
  private unacked: Buffered[] = [];
  private head = 0;
  private bufferedBytes = 0;
  /** Highest sequence received in order from the neighbour's current epoch. */
  inSeq = 0;
  inEpoch = 0;
  private unackedIn = 0;
  private ackTimer: NodeJS.Timeout | undefined;
  lastHeard = Date.now();
  rttMs: number | undefined;
  sent = 0;
  received = 0;
  replayed = 0;
  overflowDropped = 0;
  /** Remote gateway's epoch (its process start), learned at the handshake. */
  remoteEpoch = 0;
  url: string | undefined;
  dialedBySelf = false;

  constructor(
    readonly peerId: string,
    private readonly maxBufferBytes: number,
  ) {}

  get connected(): boolean {
    return this.conn !== undefined;
  }

  get pendingCount(): number {
    return this.unacked.length - this.head;
  }

  get pendingBytes(): number {
    return this.bufferedBytes;
  }

  /** Queue a message on this link (sent now when connected, else on reconnect). */
  send(msg: MeshMessage): boolean {
    const bytes = msg.payload.length + 128;
    if (this.bufferedBytes + bytes > this.maxBufferBytes) {
      this.overflowDropped++;
      return false;
    }
    const item: Buffered = { seq: ++this.outSeq, msg, bytes };
    this.unacked.push(item);
    this.bufferedBytes += bytes;
    this.sent++;
    if (this.conn) this.conn.write(this.encode(item));
    return true;
  }

  private encode(item: Buffered): Buffer {
    const m = item.msg;
    return encodeFrame([M.MESH_DATA, item.seq, m.origin, m.originEpoch, m.msgId, m.hops, m.dests, ...m.body], m.payload);
  }

  /** Neighbour acknowledged everything up to `seq`. */
  acked(seq: number): void {
    while (this.head < this.unacked.length && this.unacked[this.head].seq <= seq) {
      this.bufferedBytes -= this.unacked[this.head].bytes;
      this.head++;
    }
    if (this.head === this.unacked.length) {
      this.unacked = [];
      this.head = 0;
    } else if (this.head > 4096) {
      this.unacked = this.unacked.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * A (new) connection is up and the neighbour said what it last received from us: drop what it
   * has, resend the rest in order.
   */
  attach(conn: Connection, peerReceived: number): void {
    this.conn = conn;
    this.downSince = undefined;
    this.lastHeard = Date.now();
    this.acked(peerReceived);
    for (let i = this.head; i < this.unacked.length; i++) {
      conn.write(this.encode(this.unacked[i]));
      this.replayed++;
    }
  }

  detach(): void {
    if (!this.conn) return;
    this.conn = undefined;
    this.downSince = Date.now();
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
  }

  /** Take back what is still unacknowledged (to reroute it while the link is down). */
  takeUnacked(filter: (msg: MeshMessage) => boolean): MeshMessage[] {
    const taken: MeshMessage[] = [];
    const kept: Buffered[] = [];
    for (let i = this.head; i < this.unacked.length; i++) {
      const item = this.unacked[i];
      if (filter(item.msg)) {
        taken.push(item.msg);
        this.bufferedBytes -= item.bytes;
      } else kept.push(item);
    }
    this.unacked = kept;
    this.head = 0;
    return taken;
  }

  /** Forget everything buffered (the window passed); returns how many messages were lost. */
  expire(): number {
    const lost = this.pendingCount;
    this.unacked = [];
    this.head = 0;
    this.bufferedBytes = 0;
    return lost;
  }

  /**
   * Record an incoming sequence number. Returns false for a duplicate (already received before a
   * reconnect), which the caller drops.
   */
  accept(seq: number): boolean {
    this.lastHeard = Date.now();
    if (seq <= this.inSeq) return false;
    this.inSeq = seq;
    this.received++;
    if (++this.unackedIn >= ACK_EVERY) this.sendAck();
    else if (!this.ackTimer) this.ackTimer = setTimeout(() => this.sendAck(), ACK_DELAY_MS);
    return true;
  }

  private sendAck(): void {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    this.unackedIn = 0;
    this.conn?.write(encodeFrame([M.LINK_ACK, this.inSeq]));
  }

  /** The neighbour restarted (new epoch): its sequence numbers start again. */
  resetIncoming(epoch: number): void {
    if (this.inEpoch !== epoch) {
      this.inEpoch = epoch;
      this.inSeq = 0;
    }
  }

  dispose(): void {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
  }
}
