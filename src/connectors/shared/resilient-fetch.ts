import { inBackgroundJob } from './background.ts';
import { RateGate, ThrottledError } from './rate-gate.ts';

export { ThrottledError } from './rate-gate.ts';

export type RetryPolicy = {
  maxAttempts: number;
  baseDelayMs: number;
  /** Longest backoff between tries when the server names no wait. */
  maxDelayMs: number;
  timeoutMs: number;
  /**
   * The longest Retry-After this caller waits out. The gate is paused for the whole time the
   * server asked (Graph has been seen asking for 41–315 s, learn.microsoft.com/graph/throttling),
   * and a longer wait fails at once with ThrottledError instead of hanging the caller. Unset: in a
   * background job the whole wait is honoured (nobody is waiting on the answer); otherwise the
   * wait is cut to maxDelayMs, so a person is not kept waiting for minutes.
   */
  maxRetryAfterMs?: number;
};

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 300, maxDelayMs: 30_000, timeoutMs: 30_000 };

export type HttpAnswer = { status: number; headers: Headers; text: string; attempts: number };

/** Thrown when no answer came at all (timeout, refused or reset connection) after the retries. */
export class NetworkError extends Error {
  readonly attempts: number;
  /** The request may have reached the server before the failure (a timeout or a reset, not a refused connection). */
  readonly outcomeUnknown: boolean;
  constructor(message: string, attempts: number, cause?: unknown) {
    super(message, { cause });
    this.attempts = attempts;
    this.outcomeUnknown = mayHaveArrived(cause);
  }
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/**
 * fetch with a timeout per attempt and retries: 429 and 503 always (the server says it did not
 * process the request) honouring Retry-After; other 5xx and network failures only for idempotent
 * methods, since a POST that timed out may have been carried out. Backoff is exponential with
 * full jitter. Every attempt goes through the gate, so throttling pauses the whole tenant.
 */
export async function resilientFetch(
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: string },
  options: {
    gate?: RateGate;
    policy?: RetryPolicy;
    /** A POST whose repetition changes nothing more (set this number on this user): retried like a GET. */
    idempotent?: boolean;
    onRetry?: (info: { attempt: number; status?: number; delayMs: number; reason: string }) => void;
  } = {},
): Promise<HttpAnswer> {
  const policy = options.policy ?? defaultRetryPolicy;
  const gate = options.gate ?? new RateGate(Number.MAX_SAFE_INTEGER);
  const maxRetryAfterMs = policy.maxRetryAfterMs ?? (inBackgroundJob() ? Number.POSITIVE_INFINITY : undefined);
  const gateOptions = maxRetryAfterMs === undefined ? {} : { maxWaitMs: maxRetryAfterMs };
  const idempotent = options.idempotent ?? IDEMPOTENT.has(init.method.toUpperCase());
  let lastError: unknown;
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    let answer: HttpAnswer | undefined;
    try {
      answer = await gate.run(async () => {
        const response = await fetch(url, { ...init, signal: AbortSignal.timeout(policy.timeoutMs) });
        return { status: response.status, headers: response.headers, text: await response.text(), attempts: attempt };
      }, gateOptions);
    } catch (error) {
      if (error instanceof ThrottledError) throw error; // not sent: the tenant is paused longer than this caller waits
      lastError = error;
      if (!idempotent || attempt === policy.maxAttempts) break;
      const delayMs = backoff(policy, attempt);
      options.onRetry?.({ attempt, delayMs, reason: describeNetworkError(error) });
      await gate.clock.sleep(delayMs);
      continue;
    }
    const retryable = answer.status === 429 || answer.status === 503 || (idempotent && (answer.status === 500 || answer.status === 502 || answer.status === 504));
    if (!retryable || attempt === policy.maxAttempts) return answer;
    const retryAfter = retryAfterMs(answer.headers.get('retry-after'), gate.clock.now());
    const named = (answer.status === 429 || answer.status === 503) && retryAfter !== undefined;
    if (named && maxRetryAfterMs !== undefined) {
      // The whole wait the server asked for, for every call of this tenant (the gate), not only this one.
      gate.pause(retryAfter);
      options.onRetry?.({ attempt, status: answer.status, delayMs: retryAfter, reason: `HTTP ${answer.status}` });
      if (retryAfter > maxRetryAfterMs) throw new ThrottledError(gate.clock.now() + retryAfter, gate.clock.now());
      continue; // the next attempt waits in the gate
    }
    const delayMs = Math.min(policy.maxDelayMs, retryAfter ?? backoff(policy, attempt));
    if (answer.status === 429 && retryAfter !== undefined) gate.pause(delayMs);
    options.onRetry?.({ attempt, status: answer.status, delayMs, reason: `HTTP ${answer.status}` });
    // With a gate pause the wait happens inside the gate; sleeping here too would wait twice.
    if (!(answer.status === 429 && retryAfter !== undefined)) await gate.clock.sleep(delayMs);
  }
  throw new NetworkError(describeNetworkError(lastError), policy.maxAttempts, lastError);
}

function backoff(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(Math.random() * ceiling);
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function mayHaveArrived(error: unknown): boolean {
  const e = error as { name?: string; cause?: { code?: string } } | undefined;
  const code = e?.cause?.code;
  return !(code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN');
}

/** A policy with the configured timeout per attempt (UCR_CONNECTOR_TIMEOUT_SECONDS). */
export function retryPolicyWithTimeout(timeoutMs: number | undefined): RetryPolicy {
  return timeoutMs ? { ...defaultRetryPolicy, timeoutMs } : defaultRetryPolicy;
}

export function describeNetworkError(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } } | undefined;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'the request timed out';
  const code = e?.cause?.code;
  if (code === 'ECONNREFUSED') return 'the connection was refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the connection was reset';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name could not be resolved';
  return e?.cause?.message ?? e?.message ?? 'the request failed';
}
