/**
 * Server-sent events to the browsers (fastify's raw reply: SSE is a few header lines and
 * `event:`/`data:` blocks, which does not need a plugin). Parts changed by events are marked dirty
 * and flushed together at most every `intervalMs`, so a burst of events costs each browser one
 * message per part per interval, and a lone event goes out at once (model/throttle.ts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { throttle, type Throttled } from '../model/throttle';

/** A browser that reads slower than this many bytes behind is dropped; EventSource reconnects it. */
const MAX_BUFFERED = 4 * 1024 * 1024;
const HEARTBEAT_MS = 15_000;

export class SseHub {
  private readonly clients = new Set<FastifyReply>();
  private readonly dirty = new Set<string>();
  private readonly flushSoon: Throttled;
  private readonly heartbeat: NodeJS.Timeout;
  /** Messages written, for the bench and tests. */
  sent = 0;

  constructor(
    private readonly read: (part: string) => unknown,
    private readonly snapshot: () => Record<string, unknown>,
    intervalMs = 100,
  ) {
    this.flushSoon = throttle(() => this.flush(), intervalMs);
    this.heartbeat = setInterval(() => this.write(': keep-alive\n\n'), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Takes over the request's socket and streams to it until the browser goes away. */
  attach(req: FastifyRequest, reply: FastifyReply): void {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 1000\nevent: snapshot\ndata: ${JSON.stringify(this.snapshot())}\n\n`);
    this.clients.add(reply);
    const drop = (): void => {
      this.clients.delete(reply);
    };
    req.raw.on('close', drop);
    res.on('error', drop);
  }

  mark(parts: Iterable<string>): void {
    let any = false;
    for (const p of parts) {
      this.dirty.add(p);
      any = true;
    }
    if (any) this.flushSoon();
  }

  private flush(): void {
    if (this.dirty.size === 0) return;
    const parts = [...this.dirty];
    this.dirty.clear();
    if (this.clients.size === 0) return;
    const text = parts.map((p) => `event: ${p}\ndata: ${JSON.stringify(this.read(p))}\n\n`).join('');
    this.write(text);
    this.sent += parts.length;
  }

  private write(text: string): void {
    for (const c of this.clients) {
      if (c.raw.writableLength > MAX_BUFFERED) {
        c.raw.destroy();
        this.clients.delete(c);
        continue;
      }
      c.raw.write(text);
    }
  }

  close(): void {
    this.flushSoon.cancel();
    clearInterval(this.heartbeat);
    for (const c of this.clients) c.raw.end();
    this.clients.clear();
  }
}
