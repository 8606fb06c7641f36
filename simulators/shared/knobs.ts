// Fault-injection and pacing knobs shared by every simulator. Tests set them in-process
// (`sim.knobs.set({...})`); a test or benchmark in another process uses the /_sim/knobs endpoint.

export interface FailNext {
  count: number;
  status: number;
}

export interface KnobSettings {
  /** Fixed delay before each answer. */
  latencyMs: number;
  /** Extra random delay, 0..jitterMs, on top of latencyMs. */
  jitterMs: number;
  /** Requests per second per tenant before 429 + Retry-After; null = unlimited. */
  throttleRps: number | null;
  /** Answer the next `count` calls with `status` and the vendor's error body. */
  failNext: FailNext;
  /** Never answer the next N calls (the client must time out). */
  hangNext: number;
  /** Reset the TCP connection on the next N calls. */
  resetNext: number;
  /** Answer the next N calls 200 with truncated JSON. */
  malformedNext: number;
  /** Graph: how long an asynchronous number operation takes to finish. */
  operationDelayMs: number;
  /**
   * Graph: the next N number orders end as `skipped` and change nothing. The docs list the status
   * (telephoneNumberLongRunningOperation: notStarted, running, succeeded, failed, skipped) without
   * saying when Teams uses it; this lets tests pin how the app reads it.
   */
  skipNextOrders: number;
  /** Token lifetime the identity endpoints issue (Entra, 3CX). */
  tokenLifetimeSeconds: number;
  /** When set, latency and injected faults hit only requests whose "METHOD /path?query" contains this text. */
  faultMatch: string | null;
  /**
   * Retry-After (seconds) of throttled answers and injected 429/503 faults; null: the token
   * bucket's own wait (throttle) or 1 s (faults). Graph has been seen asking for 41–315 s
   * (learn.microsoft.com/graph/throttling).
   */
  retryAfterSeconds: number | null;
}

export interface KnobStats {
  requests: number;
  throttled: number;
  injectedFaults: number;
}

export interface Knobs extends KnobSettings {
  readonly stats: KnobStats;
  set(patch: Partial<KnobSettings>): void;
  /** Back to the values the simulator was started with; stats are zeroed. */
  reset(): void;
  snapshot(): KnobSettings;
}

export const defaultKnobSettings: KnobSettings = {
  latencyMs: 0,
  jitterMs: 0,
  throttleRps: null,
  failNext: { count: 0, status: 503 },
  hangNext: 0,
  resetNext: 0,
  malformedNext: 0,
  operationDelayMs: 2000,
  skipNextOrders: 0,
  tokenLifetimeSeconds: 3599,
  faultMatch: null,
  retryAfterSeconds: null,
};

const numberKeys = ['latencyMs', 'jitterMs', 'hangNext', 'resetNext', 'malformedNext', 'operationDelayMs', 'skipNextOrders', 'tokenLifetimeSeconds'] as const;

/** Checks a patch from the control endpoint; returns an error message or null. */
export function validateKnobPatch(patch: unknown): string | null {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return 'body must be a JSON object';
  const known = new Set<string>([...numberKeys, 'throttleRps', 'failNext', 'faultMatch', 'retryAfterSeconds']);
  for (const [key, value] of Object.entries(patch)) {
    if (!known.has(key)) return `unknown knob '${key}'`;
    if ((numberKeys as readonly string[]).includes(key) && (typeof value !== 'number' || value < 0)) return `${key} must be a number >= 0`;
    if (key === 'faultMatch' && value !== null && typeof value !== 'string') return 'faultMatch must be a string or null';
    if (key === 'retryAfterSeconds' && value !== null && (typeof value !== 'number' || !Number.isInteger(value) || value < 0)) return 'retryAfterSeconds must be a whole number >= 0 or null';
    if (key === 'throttleRps' && value !== null && (typeof value !== 'number' || value <= 0)) return 'throttleRps must be a number > 0 or null';
    if (key === 'failNext') {
      const fail = value as Partial<FailNext> | null;
      if (typeof fail !== 'object' || fail === null || typeof fail.count !== 'number' || (fail.status !== undefined && typeof fail.status !== 'number'))
        return 'failNext must be { count: number, status?: number }';
    }
  }
  return null;
}

export function createKnobs(initial: Partial<KnobSettings> = {}, onThrottleChange: (rps: number | null) => void = () => {}): Knobs {
  const start: KnobSettings = { ...defaultKnobSettings, ...initial, failNext: { ...defaultKnobSettings.failNext, ...initial.failNext } };
  const stats: KnobStats = { requests: 0, throttled: 0, injectedFaults: 0 };
  const knobs: Knobs = {
    ...start,
    failNext: { ...start.failNext },
    stats,
    set(patch) {
      const { failNext, ...rest } = patch;
      Object.assign(knobs, rest);
      if (failNext) knobs.failNext = { count: failNext.count, status: failNext.status ?? 503 };
      if ('throttleRps' in patch) onThrottleChange(knobs.throttleRps);
    },
    reset() {
      knobs.set({ ...start, failNext: { ...start.failNext } });
      Object.assign(stats, { requests: 0, throttled: 0, injectedFaults: 0 });
    },
    snapshot() {
      const { latencyMs, jitterMs, throttleRps, failNext, hangNext, resetNext, malformedNext, operationDelayMs, skipNextOrders, tokenLifetimeSeconds, faultMatch, retryAfterSeconds } = knobs;
      return { latencyMs, jitterMs, throttleRps, failNext: { ...failNext }, hangNext, resetNext, malformedNext, operationDelayMs, skipNextOrders, tokenLifetimeSeconds, faultMatch, retryAfterSeconds };
    },
  };
  return knobs;
}
