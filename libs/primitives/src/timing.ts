// The clock and time-to-live of a process cache, in one place per cache, replaceable by tests: they move a clock by
// hand instead of sleeping past a TTL.
export interface CacheTiming {
  ttlMs: number;
  /** Milliseconds. */
  now: () => number;
}

export interface CacheTimingSetting {
  readonly current: CacheTiming;
  /** Replaces the TTL and/or clock; returns the previous setting (tests restore it). */
  set(next: Partial<CacheTiming>): CacheTiming;
}

export function cacheTiming(ttlMs: number): CacheTimingSetting {
  let current: CacheTiming = { ttlMs, now: () => Date.now() };
  return {
    get current() {
      return current;
    },
    set(next) {
      const previous = current;
      current = { ...current, ...next };
      return previous;
    },
  };
}
