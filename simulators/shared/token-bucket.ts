// Per-key token buckets for throttling: `rps` tokens a second, a burst of one second's worth
// (at least one request, so rates below 1/s still let a request through now and then).

export interface Throttle {
  /** Takes a token for the key; returns 0 when allowed, else the whole seconds to wait. */
  take(key: string): number;
  setRate(rps: number | null): void;
  readonly rate: number | null;
}

export function createThrottle(initialRps: number | null, now: () => number = Date.now): Throttle {
  let rps = initialRps;
  const buckets = new Map<string, { tokens: number; updatedAt: number }>();
  return {
    get rate() {
      return rps;
    },
    setRate(value) {
      rps = value;
      buckets.clear();
    },
    take(key) {
      if (rps === null || rps <= 0) return 0;
      const time = now();
      const capacity = Math.max(1, rps);
      const bucket = buckets.get(key) ?? { tokens: capacity, updatedAt: time };
      bucket.tokens = Math.min(capacity, bucket.tokens + ((time - bucket.updatedAt) / 1000) * rps);
      bucket.updatedAt = time;
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / rps));
    },
  };
}
