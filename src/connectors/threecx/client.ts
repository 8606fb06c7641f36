import type { Logger } from 'pino';
import { z } from 'zod';
import { RateGate } from '../shared/rate-gate.ts';
import { defaultRetryPolicy, NetworkError, resilientFetch, type RetryPolicy } from '../shared/resilient-fetch.ts';
import { TokenProvider, type ThreeCxAuth, type ThreeCxTokenStore } from './auth.ts';
import { mapXapiError, ThreeCxError } from './errors.ts';

export type ThreeCxClientOptions = {
  /** https://{fqdn}, or another address of the same PBX (a proxy, the simulator). */
  baseUrl: string;
  auth: ThreeCxAuth;
  log: Logger;
  retry?: Partial<RetryPolicy>;
  /** Rows per page when reading a whole collection. */
  pageSize?: number;
  now?: () => number;
  /** The session shared by every node of the installation (3CX allows one active token per client). */
  tokenStore?: ThreeCxTokenStore | undefined;
};

const collection = z.object({ value: z.array(z.unknown()), '@odata.count': z.number().optional(), '@odata.nextLink': z.string().optional() }).passthrough();

/** A string inside an OData `$filter`: single-quoted, inner quotes doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * 3CX v20 XAPI client: bearer token from the token provider (renewed before it expires, and
 * once more when 3CX answers 401), retries with backoff honouring Retry-After, a timeout per
 * attempt, OData paging, and 3CX's error JSON turned into plain words.
 */
export class ThreeCxClient {
  private readonly gate = new RateGate(4);
  readonly tokens: TokenProvider;
  private readonly options: ThreeCxClientOptions;
  private readonly policy: RetryPolicy;

  constructor(options: ThreeCxClientOptions) {
    this.options = { ...options, baseUrl: options.baseUrl.replace(/\/+$/, '') };
    this.policy = { ...defaultRetryPolicy, timeoutMs: 20_000, ...options.retry };
    this.tokens = new TokenProvider({ baseUrl: this.options.baseUrl, auth: options.auth, gate: this.gate, timeoutMs: this.policy.timeoutMs, now: options.now ?? Date.now, store: options.tokenStore });
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  async request<T>(method: string, path: string, schema: z.ZodType<T> | undefined, body?: unknown): Promise<{ data: T; headers: Headers; status: number }> {
    const url = /^https?:\/\//.test(path) ? path : `${this.options.baseUrl}/xapi/v1/${path.replace(/^\//, '')}`;
    let answer = await this.send(method, url, body);
    if (answer.status === 401) {
      // The token expired early or was revoked: sign in again once, then give up.
      this.tokens.invalidate(answer.token);
      answer = await this.send(method, url, body);
    }
    this.options.log.debug({ method, path: new URL(url).pathname, status: answer.status, attempts: answer.attempts }, '3CX call');
    if (answer.status >= 400) throw mapXapiError(answer.status, answer.text, method);
    if (!schema || answer.status === 204 || answer.text === '') return { data: undefined as T, headers: answer.headers, status: answer.status };
    let json: unknown;
    try {
      json = JSON.parse(answer.text);
    } catch {
      throw new ThreeCxError('unexpected_answer', '3CX answered with something that is not JSON; try again.', { status: answer.status });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ThreeCxError('unexpected_answer', '3CX answered in a shape UCR Manager does not understand.', { status: answer.status, detail: parsed.error.message.slice(0, 300) });
    return { data: parsed.data, headers: answer.headers, status: answer.status };
  }

  private async send(method: string, url: string, body: unknown) {
    const token = await this.tokens.get();
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) };
    try {
      const answer = await resilientFetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }, {
        gate: this.gate,
        policy: this.policy,
        onRetry: (info) => this.options.log.debug({ method, path: new URL(url).pathname, ...info }, '3CX call retried'),
      });
      return { ...answer, token };
    } catch (error) {
      throw new ThreeCxError('unavailable', `The PBX could not be reached: ${error instanceof NetworkError ? error.message : 'network error'}.`);
    }
  }

  /** One page of a collection, with the total when asked. */
  async page<T>(path: string, item: z.ZodType<T>, query: Record<string, string | number | boolean | undefined>): Promise<{ items: T[]; total: number | undefined }> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
    const { data } = await this.request('GET', `${path}?${params.toString()}`, collection);
    return { items: data.value.map((raw) => parseItem(item, raw)), total: data['@odata.count'] };
  }

  /**
   * Every item of a collection: follows @odata.nextLink when 3CX sends one, otherwise steps
   * $skip by $top until a short page says the end was reached.
   */
  async all<T>(path: string, item: z.ZodType<T>, query: Record<string, string | undefined> = {}, limit = 100_000): Promise<T[]> {
    const size = this.options.pageSize ?? 500;
    const items: T[] = [];
    const base = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value) base.set(key, value);
    let skip = 0;
    let next: string | undefined = `${path}?${new URLSearchParams({ ...Object.fromEntries(base), $top: String(size), $skip: '0' }).toString()}`;
    while (next && items.length < limit) {
      const { data }: { data: z.infer<typeof collection> } = await this.request('GET', next, collection);
      for (const raw of data.value) items.push(parseItem(item, raw));
      if (data['@odata.nextLink']) next = data['@odata.nextLink'];
      else if (data.value.length < size) next = undefined;
      else {
        skip += size;
        next = `${path}?${new URLSearchParams({ ...Object.fromEntries(base), $top: String(size), $skip: String(skip) }).toString()}`;
      }
    }
    return items.slice(0, limit);
  }
}

function parseItem<T>(schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ThreeCxError('unexpected_answer', '3CX answered a list in a shape UCR Manager does not understand.', { detail: parsed.error.message.slice(0, 300) });
  return parsed.data;
}
