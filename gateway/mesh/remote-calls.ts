/**
 * Calls this gateway sent to a procedure served at another gateway (docs/protocol.md §3 RPC), waiting
 * for their RESULT: each is answered exactly once, by the result, by its timeout, or at once when
 * the serving gateway becomes unreachable or stops serving the procedure.
 */
import { onceWithTimeout, type Reply } from '../core/rpc';
import { isErrorCode } from '../protocol/errors';

interface PendingRemoteCall {
  reply: Reply;
  dest: string;
  procedure: string;
  timer: NodeJS.Timeout;
}

export class RemoteCalls {
  private readonly pending = new Map<number, PendingRemoteCall>();
  private counter = 0;

  /** Register a call to `procedure` at gateway `dest`; returns the call id to send with it. */
  start(dest: string, procedure: string, timeoutMs: number, reply: Reply): number {
    const callId = ++this.counter;
    const guarded = onceWithTimeout(reply, timeoutMs + 100, procedure);
    // The guard answers the caller at its timeout; this only forgets the entry a little later.
    const timer = setTimeout(() => this.pending.delete(callId), timeoutMs + 200);
    timer.unref?.();
    this.pending.set(callId, { reply: guarded.reply, dest, procedure, timer });
    return callId;
  }

  /** A RESULT arrived: an error code (with its message) or the result payload. */
  settle(callId: number, code: string | null, message: string | null, payload: Buffer): void {
    const call = this.pending.get(callId);
    if (!call) return;
    this.pending.delete(callId);
    clearTimeout(call.timer);
    if (code) call.reply({ code: isErrorCode(code) ? code : 'internal', message: message ?? '' });
    // A copy: the payload is a view into a read buffer.
    else call.reply(undefined, Buffer.from(payload));
  }

  /** The topology changed: fail now every call whose gateway no longer serves it reachably. */
  failUnserved(serves: (dest: string, procedure: string) => boolean): void {
    for (const [id, call] of this.pending) {
      if (serves(call.dest, call.procedure)) continue;
      this.pending.delete(id);
      clearTimeout(call.timer);
      call.reply({
        code: 'unavailable',
        message: `gateway ${call.dest} serving ${call.procedure} became unreachable`,
      });
    }
  }

  stop(): void {
    for (const call of this.pending.values()) clearTimeout(call.timer);
  }
}
