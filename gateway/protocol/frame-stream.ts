/**
 * Frames over one Connection, with a handler that can change as the connection moves from the
 * dispatcher to a client session or a mesh link: frames decoded from the same chunk after the
 * switch go to the new handler, in order.
 */
import type { Connection } from '../transport/transport';
import { GatewayError } from './errors';
import { FrameDecoder, type Frame } from './frames';

export class FrameStream {
  /** Until a handler is set, frames wait here (a transport may hand over early data at once). */
  private waiting: Frame[] | undefined = [];
  private handler: (frame: Frame) => void = (frame) =>
    this.waiting?.push({ header: frame.header, payload: Buffer.from(frame.payload) });
  private badFrame: (err: GatewayError) => void;
  private stopped = false;
  private readonly decoder: FrameDecoder;

  constructor(
    readonly conn: Connection,
    maxFrameBytes: number,
  ) {
    const decoder = (this.decoder = new FrameDecoder(maxFrameBytes));
    this.badFrame = () => conn.destroy();
    conn.onData((chunk) => {
      if (this.stopped) return;
      try {
        decoder.push(chunk, (frame) => {
          if (!this.stopped) this.handler(frame);
        });
      } catch (err) {
        this.stopped = true;
        this.badFrame(
          err instanceof GatewayError ? err : new GatewayError('protocol_error', (err as Error).message),
        );
      }
    });
  }

  /** Change the frame size bound (a connection that turns out to be a mesh link gets more room). */
  setMaxFrameBytes(max: number): void {
    this.decoder.maxFrameBytes = max;
  }

  setHandler(handler: (frame: Frame) => void): void {
    this.handler = handler;
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) for (const frame of waiting) if (!this.stopped) this.handler(frame);
  }

  /** Called once with the decoding error; no frames are handled after it. */
  onBadFrame(handler: (err: GatewayError) => void): void {
    this.badFrame = handler;
  }
}
