/** Time as the gate sees it; tests give a clock they control instead of waiting for real. */
export type Clock = { now(): number; sleep(ms: number): Promise<void> };
export const realClock: Clock = { now: () => Date.now(), sleep: (ms) => sleep(ms) };

/**
 * The remote asked this tenant to wait longer than the caller is willing to (an interactive
 * request should not hang for minutes): nothing was sent; `until` says when calls go out again.
 */
export class ThrottledError extends Error {
  readonly until: number;
  constructor(until: number, now: number) {
    super(`the remote asked to wait ${Math.ceil((until - now) / 1000)} s`);
    this.until = until;
  }
}

/**
 * Per-remote-tenant gate: at most `concurrency` calls in flight, and when the remote says
 * "slow down" (429 + Retry-After) every call for that tenant waits, not only the one that
 * was throttled, so the client backs off as a whole instead of hammering with its other slots.
 * The pause lasts as long as the remote asked, however long; a caller that will not wait that
 * long (`maxWaitMs`) gets a ThrottledError at once instead.
 */
export class RateGate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private until = 0;
  private readonly listeners = new Set<(until: Date) => void>();
  readonly concurrency: number;
  readonly clock: Clock;

  constructor(concurrency: number, clock: Clock = realClock) {
    this.concurrency = concurrency;
    this.clock = clock;
  }

  async run<T>(task: () => Promise<T>, options: { maxWaitMs?: number } = {}): Promise<T> {
    const maxWaitMs = options.maxWaitMs ?? Number.POSITIVE_INFINITY;
    // Wait out a pause before taking a slot, so paused callers do not hold slots others could use.
    await this.waitOutPause(maxWaitMs);
    await this.acquire();
    try {
      await this.waitOutPause(maxWaitMs); // a pause may have begun while this call was queued
      return await task();
    } finally {
      this.release();
    }
  }

  /** Holds every call until `ms` from now (never shortens a longer pause); tells the listeners. */
  pause(ms: number): void {
    const until = this.clock.now() + ms;
    if (until <= this.until) return;
    this.until = until;
    for (const listener of this.listeners) listener(new Date(until));
  }

  /** When calls go out again, or undefined when the gate is not paused. */
  get pausedUntil(): Date | undefined {
    return this.until > this.clock.now() ? new Date(this.until) : undefined;
  }

  /** Calls `listener` each time the gate is paused (or a pause is lengthened); returns the unsubscribe. */
  onPause(listener: (until: Date) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async waitOutPause(maxWaitMs: number): Promise<void> {
    // A loop: the pause can be lengthened while we sleep.
    for (let left = this.until - this.clock.now(); left > 0; left = this.until - this.clock.now()) {
      if (left > maxWaitMs) throw new ThrottledError(this.until, this.clock.now());
      await this.clock.sleep(left);
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => resolve()));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active -= 1;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
