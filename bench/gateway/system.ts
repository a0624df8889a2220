/**
 * What the measurements need from a messaging system, so the same code measures our gateway and
 * NATS: a pair of servers linked to each other, and a thin client over each system's own library.
 */

export interface BenchClient {
  /** Subscribe; `onMessage` gets the payload size of every message. Resolves once the server has it. */
  subscribe(subject: string, onMessage: (size: number) => void): Promise<void>;
  /** Fire-and-forget publish; the client library batches writes per event-loop turn. */
  publish(subject: string, payload: Buffer): void;
  /**
   * A publish as a naive loop writes it (`await` on what it returns). Ours: the client's publish
   * promise. NATS publishes without one: at `boundary` (every 1,000th) it returns `flush()`, the
   * way a NATS user paces such a loop; otherwise a settled promise.
   */
  publishAwaitable(subject: string, payload: Buffer, boundary: boolean): Promise<void>;
  /** Resolves when what was published has been handed to the transport / server. */
  flush(): Promise<void>;
  /** Answer requests on `subject` with their own payload (an echo). */
  serve(subject: string): Promise<void>;
  /** One request/reply round trip. */
  request(subject: string, payload: Buffer, timeoutMs: number): Promise<void>;
  /** Messages the system told this client it dropped (slow consumer), if it reports them. */
  readonly dropped: number;
  close(): Promise<void>;
}

export interface SystemUnderTest {
  /** Column label, e.g. `ours QUIC`. */
  readonly label: string;
  /**
   * NATS has no publish to await: its naive loop is the reference of both (5) rows, publishing and
   * calling flush() every 1,000th.
   */
  readonly pacesWithFlush?: boolean;
  /** Client URLs of server A and server B (B is linked to A). */
  readonly urls: readonly [string, string];
  connect(url: string, name: string): Promise<BenchClient>;
  /** Connection attempts that failed and were retried. */
  readonly connectFailures: number;
  /** Server processes A and B (their RSS is read from /proc while they run). */
  readonly pids: readonly [number, number];
  /** Admin API base URLs of servers A and B, where the system has one (ours: /metrics). */
  readonly adminUrls?: readonly [string, string];
  stop(): Promise<void>;
}
