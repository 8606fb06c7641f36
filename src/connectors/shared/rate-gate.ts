/**
 * Per-remote-tenant gate: at most `concurrency` calls in flight, and when the remote says
 * "slow down" (429 + Retry-After) every call for that tenant waits, not only the one that
 * was throttled, so the client backs off as a whole instead of hammering with its other slots.
 */
export class RateGate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private pausedUntil = 0;
  readonly concurrency: number;

  constructor(concurrency: number) {
    this.concurrency = concurrency;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      const pause = this.pausedUntil - Date.now();
      if (pause > 0) await sleep(pause);
      return await task();
    } finally {
      this.release();
    }
  }

  /** Holds every call until `ms` from now (never shortens a longer pause). */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
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
