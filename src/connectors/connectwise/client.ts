import type { Logger } from 'pino';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { RateGate } from '../shared/rate-gate.ts';
import { defaultRetryPolicy, NetworkError, resilientFetch, type RetryPolicy } from '../shared/resilient-fetch.ts';

const anyList = z.array(z.unknown());

/**
 * The Manage API version whose models this client reads. Unpinned, ConnectWise answers with the
 * latest models, which can change shape at any release; its versioning guide asks production
 * integrations to name a version in Accept (`application/vnd.connectwise.com+json; version=…`).
 */
export const CONNECTWISE_API_VERSION = '2025.1';

export type ConnectWiseCredentials = { site: string; companyId: string; publicKey: string; privateKey: string; clientId: string; /** Full API base, for sites behind another address (the simulator). */ baseUrl?: string | undefined };

/** A ConnectWise failure in plain words; `detail` keeps Manage's own message. */
export class ConnectWiseError extends AppError {
  readonly cwStatus: number | undefined;
  constructor(message: string, status: number | undefined, code = 'connectwise_error', detail?: string) {
    super(status === 400 ? 400 : 502, code, message, detail ? { detail } : undefined);
    this.cwStatus = status;
  }
}

/**
 * ConnectWise Manage REST client: Basic auth from company+public key and private key plus the
 * required clientId header, conditions queries, page/pageSize paging following the Link header,
 * retries on 429/503 honouring Retry-After, and Manage's error JSON turned into plain words.
 */
export class ConnectWiseClient {
  private readonly gate = new RateGate(4);
  private readonly credentials: ConnectWiseCredentials;
  private readonly log: Logger;
  private readonly policy: RetryPolicy;

  constructor(credentials: ConnectWiseCredentials, log: Logger, policy: RetryPolicy = defaultRetryPolicy) {
    this.credentials = credentials;
    this.log = log;
    this.policy = policy;
  }

  get baseUrl(): string {
    return (this.credentials.baseUrl ?? `https://${this.credentials.site}/v4_6_release/apis/3.0`).replace(/\/$/, '');
  }

  private headers(): Record<string, string> {
    const { companyId, publicKey, privateKey, clientId } = this.credentials;
    return { authorization: `Basic ${Buffer.from(`${companyId}+${publicKey}:${privateKey}`).toString('base64')}`, clientId, accept: `application/vnd.connectwise.com+json; version=${CONNECTWISE_API_VERSION}` };
  }

  async request<T>(method: string, path: string, schema: z.ZodType<T> | undefined, body?: unknown): Promise<{ data: T; headers: Headers }> {
    const url = /^https?:\/\//.test(path) ? path : `${this.baseUrl}${path}`;
    let answer;
    try {
      answer = await resilientFetch(url, { method, headers: { ...this.headers(), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }, { gate: this.gate, policy: this.policy });
    } catch (error) {
      const reason = error instanceof NetworkError ? error.message : 'network error';
      if (method !== 'GET' && error instanceof NetworkError && error.outcomeUnknown) throw new ConnectWiseError(`ConnectWise did not answer (${reason}); the write may still have been saved.`, undefined, 'connectwise_unavailable');
      throw new ConnectWiseError(`ConnectWise could not be reached: ${reason}.`, undefined, 'connectwise_unavailable');
    }
    this.log.debug({ method, path: new URL(url).pathname, status: answer.status }, 'ConnectWise call');
    if (answer.status >= 400) throw mapError(answer.status, answer.text);
    if (!schema || answer.status === 204 || answer.text === '') return { data: undefined as T, headers: answer.headers };
    let json: unknown;
    try {
      json = JSON.parse(answer.text);
    } catch {
      throw new ConnectWiseError('ConnectWise answered with something that is not JSON.', answer.status, 'connectwise_unexpected');
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ConnectWiseError('ConnectWise answered in a shape UCR Manager does not understand.', answer.status, 'connectwise_unexpected', parsed.error.message.slice(0, 300));
    return { data: parsed.data, headers: answer.headers };
  }

  /** Every item of a list, following rel="next" in the Link header (pageSize 1000 at most). */
  async list<T>(path: string, item: z.ZodType<T>, limit = 10_000): Promise<T[]> {
    const items: T[] = [];
    const separator = path.includes('?') ? '&' : '?';
    let next: string | undefined = `${path}${separator}pageSize=${Math.min(1000, limit)}&page=1`;
    while (next && items.length < limit) {
      const page: { data: unknown[]; headers: Headers } = await this.request('GET', next, anyList);
      for (const raw of page.data) {
        const parsed = item.safeParse(raw);
        if (parsed.success) items.push(parsed.data);
      }
      next = /<([^>]+)>;\s*rel="next"/.exec(page.headers.get('link') ?? '')?.[1];
    }
    return items.slice(0, limit);
  }
}

function mapError(status: number, text: string): ConnectWiseError {
  let body: { code?: string; message?: string; errors?: Array<{ message?: string; field?: string }> } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = undefined;
  }
  const detail = [body?.message, ...(body?.errors ?? []).map((e) => e.message)].filter(Boolean).join(' ');
  if (status === 401) return new ConnectWiseError('ConnectWise refused the API keys (company id, public or private key). Check them under the tenant\'s ConnectWise connection.', status, 'connectwise_unauthorized', detail);
  if (status === 403) return new ConnectWiseError("The ConnectWise API member's security role does not allow this. Give the role the permission named in the admin guide.", status, 'connectwise_forbidden', detail);
  if (status === 404) return new ConnectWiseError(`ConnectWise does not know that item: ${detail || 'not found'}.`, status, 'connectwise_not_found', detail);
  if (status === 400) return new ConnectWiseError(`ConnectWise refused it: ${detail || 'invalid request'}`, status, 'connectwise_refused', detail);
  return new ConnectWiseError(`ConnectWise had a problem (HTTP ${status}); try again later.`, status, 'connectwise_unavailable', detail);
}
