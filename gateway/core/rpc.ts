/**
 * Procedures and calls (docs/protocol.md §2 RPC, §3 mesh RPC). A call is served by the local
 * registration when there is one, else handed to the mesh, which routes it to the nearest gateway
 * that advertised the procedure. Every call is answered exactly once: result, error or timeout.
 */
import { GatewayError, type ErrorCode } from '../protocol/errors';
import { HeldBySession } from './held';

export interface Reply {
  (error: { code: ErrorCode; message: string } | undefined, result?: Buffer): void;
}

export interface Callee {
  sessionId: string;
  regId: number;
  /** Send an INVOCATION to the registering client. */
  invoke(invocationId: number, procedure: string, caller: string, args: Buffer): void;
}

export interface RemoteRouter {
  /** Does another gateway in the realm serve this procedure? */
  hasRemote(procedure: string): boolean;
  /** Route a call to the nearest gateway serving it; false when none is reachable. */
  callRemote(procedure: string, args: Buffer, timeoutMs: number, caller: string, reply: Reply): boolean;
}

interface PendingInvocation {
  reply: Reply;
  sessionId: string;
  timer: NodeJS.Timeout;
}

/** Wrap `reply` so that it runs once, and fails with `timeout` if nothing answers in time. */
export function onceWithTimeout(
  reply: Reply,
  timeoutMs: number,
  procedure: string,
): { reply: Reply; timer: NodeJS.Timeout } {
  let done = false;
  const timer = setTimeout(() => {
    if (done) return;
    done = true;
    reply({ code: 'timeout', message: `call to ${procedure} timed out after ${timeoutMs} ms` });
  }, timeoutMs);
  timer.unref?.();
  return {
    timer,
    reply: (err, result) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reply(err, result);
    },
  };
}

export class Rpc {
  readonly registrations = new Map<string, Callee>();
  private readonly invocations = new Map<number, PendingInvocation>();
  private nextInvocation = 1;
  remote: RemoteRouter | undefined;

  register(procedure: string, callee: Callee): void {
    const existing = this.registrations.get(procedure);
    if (existing)
      throw new HeldBySession(
        `procedure ${procedure} is already registered at this gateway`,
        existing.sessionId,
      );
    if (this.remote?.hasRemote(procedure)) {
      throw new GatewayError('already_exists', `procedure ${procedure} is already registered in the realm`);
    }
    this.registrations.set(procedure, callee);
  }

  unregister(procedure: string, sessionId: string): boolean {
    const existing = this.registrations.get(procedure);
    if (!existing || existing.sessionId !== sessionId) return false;
    this.registrations.delete(procedure);
    return true;
  }

  /** Takes `procedure` away from its local callee (lost a registration race); returns that callee. */
  revoke(procedure: string): Callee | undefined {
    const callee = this.registrations.get(procedure);
    this.registrations.delete(procedure);
    return callee;
  }

  /** A call from a local client. */
  call(procedure: string, args: Buffer, timeoutMs: number, caller: string, reply: Reply): void {
    const guarded = onceWithTimeout(reply, timeoutMs, procedure);
    if (this.registrations.has(procedure)) {
      this.invokeLocal(procedure, args, caller, guarded.reply, timeoutMs);
      return;
    }
    if (this.remote?.callRemote(procedure, args, timeoutMs, caller, guarded.reply)) return;
    guarded.reply({
      code: 'no_such_procedure',
      message: `no procedure ${procedure} is registered in the realm`,
    });
  }

  /** A call that must be served here (local client or one routed from another gateway). */
  invokeLocal(procedure: string, args: Buffer, caller: string, reply: Reply, timeoutMs: number): void {
    const callee = this.registrations.get(procedure);
    if (!callee) {
      reply({
        code: 'no_such_procedure',
        message: `no procedure ${procedure} is registered at this gateway`,
      });
      return;
    }
    const id = this.nextInvocation++;
    // The caller's side owns the timeout; this one only frees the slot if the callee never answers.
    const timer = setTimeout(() => this.invocations.delete(id), timeoutMs + 1000);
    timer.unref?.();
    this.invocations.set(id, { reply, sessionId: callee.sessionId, timer });
    callee.invoke(id, procedure, caller, Buffer.from(args));
  }

  /** The callee answered (YIELD or INVOCATION_ERROR). Answers from the wrong session are ignored. */
  answer(
    sessionId: string,
    invocationId: number,
    error: { code: ErrorCode; message: string } | undefined,
    result?: Buffer,
  ): void {
    const pending = this.invocations.get(invocationId);
    if (!pending || pending.sessionId !== sessionId) return;
    this.invocations.delete(invocationId);
    clearTimeout(pending.timer);
    pending.reply(error, result === undefined ? undefined : Buffer.from(result));
  }

  /** A client went away: drop its procedures and fail the calls it was serving. */
  sessionClosed(sessionId: string): string[] {
    const dropped: string[] = [];
    for (const [procedure, callee] of this.registrations) {
      if (callee.sessionId === sessionId) {
        this.registrations.delete(procedure);
        dropped.push(procedure);
      }
    }
    for (const [id, pending] of this.invocations) {
      if (pending.sessionId !== sessionId) continue;
      this.invocations.delete(id);
      clearTimeout(pending.timer);
      pending.reply({ code: 'unavailable', message: 'the client serving this procedure disconnected' });
    }
    return dropped;
  }
}
