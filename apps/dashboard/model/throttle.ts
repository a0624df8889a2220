/**
 * Coalescing: the first call runs at once, calls during the next `intervalMs` are merged into one
 * trailing run. A burst of thousands of events a second becomes at most 1000/intervalMs pushes and
 * redraws, while a lone event still goes out without waiting.
 */
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface Throttled {
  (): void;
  /** Drops a pending trailing run. */
  cancel(): void;
}

export function throttle(run: () => void, intervalMs: number, timers: Timers = realTimers): Throttled {
  let last = -Infinity;
  let pending: unknown;
  const fire = (): void => {
    pending = undefined;
    last = timers.now();
    run();
  };
  const call = (): void => {
    if (pending !== undefined) return;
    const wait = last + intervalMs - timers.now();
    if (wait <= 0) fire();
    else pending = timers.setTimeout(fire, wait);
  };
  call.cancel = () => {
    if (pending !== undefined) timers.clearTimeout(pending);
    pending = undefined;
  };
  return call;
}
