/**
 * The dashboard's one connection to its gateway. Unlike the other apps it starts without one: the
 * page must come up and say "reconnecting" while the gateway is away, so the first connection is
 * retried with backoff in the background, and after that the client library's own reconnect takes
 * over (docs/protocol.md §7). Calls fail fast with `unavailable` while disconnected instead of waiting.
 */
import { EventEmitter } from 'node:events';
import { GatewayError, type GatewayClient } from '../../../gateway/client';
import type { Logger } from '../../shared/logger';

export type LinkState = 'connecting' | 'connected' | 'reconnecting' | 'stopped';

export interface GatewayLinkOptions {
  connect: () => Promise<GatewayClient>;
  /** Subscribes and registers on a fresh client; the client restores them after a reconnect. */
  onClient: (client: GatewayClient) => Promise<void>;
  log: Logger;
  callTimeoutMs: number;
  /** Backoff of the first connection: from 250 ms doubling up to this. */
  maxBackoffMs?: number;
}

export class GatewayLink extends EventEmitter {
  state: LinkState = 'connecting';
  client: GatewayClient | undefined;
  private attempt: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly o: GatewayLinkOptions) {
    super();
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  gatewayId(): string | null {
    return this.client?.gatewayId ?? null;
  }

  /** Starts connecting; resolves at once (the first connection may take any time). */
  start(): void {
    this.attempt ??= this.connectLoop();
  }

  /** Resolves when connected (tests and `main` wait for it with a timeout of their own). */
  async whenConnected(): Promise<void> {
    if (this.connected) return;
    await new Promise<void>((resolve) => {
      const on = (s: LinkState): void => {
        if (s === 'connected' || s === 'stopped') {
          this.off('state', on);
          resolve();
        }
      };
      this.on('state', on);
    });
  }

  private set(state: LinkState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', state);
  }

  private async connectLoop(): Promise<void> {
    let delay = 250;
    while (this.state !== 'stopped') {
      let client: GatewayClient | undefined;
      try {
        client = await this.o.connect();
        if ((this.state as LinkState) === 'stopped') {
          await client.close().catch(() => undefined);
          return;
        }
        client.on('disconnected', () => {
          if (this.state !== 'stopped') this.set('reconnecting');
          this.o.log.warn('gateway connection lost; reconnecting');
        });
        client.on('reconnected', () => {
          if (this.state !== 'stopped') this.set('connected');
          this.o.log.info({ gateway: client?.gatewayId }, 'gateway connection restored');
        });
        await this.o.onClient(client);
        this.client = client;
        this.o.log.info({ gateway: client.gatewayId }, 'connected to the gateway');
        this.set('connected');
        return;
      } catch (err) {
        await client?.close().catch(() => undefined);
        this.o.log.warn({ err: (err as Error).message, retry_ms: delay }, 'gateway not reachable yet');
        await new Promise<void>((r) => {
          const t = setTimeout(r, delay);
          this.wake = () => {
            clearTimeout(t);
            r();
          };
        });
        delay = Math.min(delay * 2, this.o.maxBackoffMs ?? 5000);
      }
    }
  }

  /** An RPC through the mesh; `unavailable` at once while not connected. */
  async call<R>(procedure: string, args?: unknown): Promise<R> {
    if (!this.connected || !this.client)
      throw new GatewayError('unavailable', 'the dashboard is not connected to its gateway (reconnecting)');
    return this.client.call<R>(procedure, args, { timeoutMs: this.o.callTimeoutMs });
  }

  async stop(): Promise<void> {
    this.set('stopped');
    this.wake?.();
    await this.attempt?.catch(() => undefined);
    await this.client?.close().catch(() => undefined);
  }
}
