/**
 * The simulation clock (docs/domain.md, "The world"), pure: real time comes from an injected `now()`.
 * sim_time = anchor + running real ms × speed, where the anchor is re-taken at every pause, resume and
 * speed change, so simulated time is continuous across them (the anchor carries the simulated time
 * accumulated before).
 */
export const MIN_SPEED = 1;
export const MAX_SPEED = 10_000_000;

export interface ClockState {
  simulation_time: string;
  start_date: string;
  speed: number;
  paused: boolean;
  tick: number;
}

export function isValidSpeed(speed: unknown): speed is number {
  return typeof speed === 'number' && Number.isInteger(speed) && speed >= MIN_SPEED && speed <= MAX_SPEED;
}

export class SimClock {
  private anchorSimMs: number;
  private anchorRealMs: number;
  private _speed: number;
  private _paused = false;
  private _tick = 0;
  private lastTickSimMs: number;

  constructor(
    private readonly startMs: number,
    speed: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!isValidSpeed(speed))
      throw new RangeError(`speed must be an integer from ${MIN_SPEED} to ${MAX_SPEED}`);
    this._speed = speed;
    this.anchorSimMs = startMs;
    this.anchorRealMs = now();
    this.lastTickSimMs = startMs;
  }

  get speed(): number {
    return this._speed;
  }

  get paused(): boolean {
    return this._paused;
  }

  simMs(): number {
    if (this._paused) return this.anchorSimMs;
    return this.anchorSimMs + (this.now() - this.anchorRealMs) * this._speed;
  }

  private reanchor(): void {
    this.anchorSimMs = this.simMs();
    this.anchorRealMs = this.now();
  }

  /** Returns false when already paused (nothing changed). */
  pause(): boolean {
    if (this._paused) return false;
    this.reanchor();
    this._paused = true;
    return true;
  }

  resume(): boolean {
    if (!this._paused) return false;
    this.anchorRealMs = this.now();
    this._paused = false;
    return true;
  }

  setSpeed(speed: number): void {
    if (!isValidSpeed(speed))
      throw new RangeError(`speed must be an integer from ${MIN_SPEED} to ${MAX_SPEED}`);
    this.reanchor();
    this._speed = speed;
  }

  /** Back to SIMULATION_START_DATE (Decision: never a hard-coded date); speed and pause state are kept. */
  reset(): void {
    this.anchorSimMs = this.startMs;
    this.anchorRealMs = this.now();
    this.lastTickSimMs = this.startMs;
    this._tick = 0;
  }

  /** Advances the tick counter; returns the tick's simulated time and the previous tick's. */
  tick(): { tick: number; simMs: number; previousSimMs: number } {
    const simMs = this.simMs();
    const previousSimMs = this.lastTickSimMs;
    this.lastTickSimMs = simMs;
    this._tick++;
    return { tick: this._tick, simMs, previousSimMs };
  }

  state(): ClockState {
    return {
      simulation_time: new Date(this.simMs()).toISOString(),
      start_date: new Date(this.startMs).toISOString(),
      speed: this._speed,
      paused: this._paused,
      tick: this._tick,
    };
  }
}
