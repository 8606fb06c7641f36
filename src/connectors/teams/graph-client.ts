import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { RateGate, type Clock } from '../shared/rate-gate.ts';
import { NetworkError, resilientFetch, retryAfterMs, ThrottledError, type RetryPolicy, defaultRetryPolicy } from '../shared/resilient-fetch.ts';
import { clientAssertion, isTenantId, readTokenClaims, type TeamsCredentials, type TeamsEndpoints } from './credentials.ts';
import { classifyFailure, TeamsError } from './errors.ts';

export type GraphClientOptions = {
  /** The customer's Entra tenant: GUID or verified domain. */
  tenant: string;
  credentials: TeamsCredentials;
  endpoints: TeamsEndpoints;
  log: Logger;
  concurrency?: number;
  retry?: RetryPolicy;
  now?: () => Date;
  /** The gate's clock (waits for Retry-After and backoff); tests pass one they control. */
  clock?: Clock;
};

type CachedToken = { accessToken: string; expiresAt: number; roles: string[] };

/**
 * How long an interactive call waits out a Retry-After before it answers "throttled, try again at
 * …" instead (a person is waiting). Background jobs wait the whole time Graph asks for.
 */
export const INTERACTIVE_MAX_RETRY_AFTER_MS = 10_000;

/** What the interactive and the background client of one tenant share: the token and the throttle gate. */
type Session = { token: CachedToken | undefined; tokenPromise: Promise<CachedToken> | undefined; tokensIssued: number; gate: RateGate; tenantTokenUrl?: string };

/**
 * A Microsoft Graph client for one customer tenant: app-only token (certificate assertion or
 * secret) cached until shortly before expiry, retries with backoff honouring Retry-After,
 * a per-tenant concurrency gate, paging through @odata.nextLink (or $top/$skip where Graph
 * documents no link), and Graph errors turned into
 * TeamsError. The client-request-id of every call is logged with Graph's request-id.
 */
export class GraphClient {
  private readonly session: Session;
  private readonly options: GraphClientOptions;
  private readonly policy: RetryPolicy;

  constructor(options: GraphClientOptions, session?: Session) {
    this.options = options;
    this.session = session ?? { token: undefined, tokenPromise: undefined, tokensIssued: 0, gate: new RateGate(options.concurrency ?? 8, options.clock) };
    this.policy = { maxRetryAfterMs: INTERACTIVE_MAX_RETRY_AFTER_MS, ...(options.retry ?? defaultRetryPolicy) };
  }

  /**
   * The same tenant's client for background jobs: same token and gate, but it waits out the
   * whole Retry-After Graph asks for (minutes, if need be) rather than giving up.
   */
  forJobs(): GraphClient {
    return new GraphClient({ ...this.options, retry: { ...this.policy, maxRetryAfterMs: Number.POSITIVE_INFINITY } }, this.session);
  }

  /** Number of tokens fetched: lets tests prove a token is reused until it expires. */
  get tokensIssued(): number {
    return this.session.tokensIssued;
  }

  /** Calls `listener` whenever Graph makes this tenant wait (every call pauses until the time given). */
  onThrottle(listener: (until: Date) => void): () => void {
    return this.session.gate.onPause(listener);
  }

  /** Until when Graph has asked this tenant to wait, if it has. */
  get throttledUntil(): Date | undefined {
    return this.session.gate.pausedUntil;
  }

  get tokenUrl(): string {
    return `${this.options.endpoints.loginBaseUrl.replace(/\/$/, '')}/${encodeURIComponent(this.options.tenant)}/oauth2/v2.0/token`;
  }

  /** The permissions (app roles) granted to the app, read from a fresh or cached token. */
  async grantedRoles(): Promise<string[]> {
    return (await this.accessToken()).roles;
  }

  async accessToken(): Promise<CachedToken> {
    const now = (this.options.now ?? (() => new Date()))().getTime();
    // Renew five minutes early: a call started with an almost-expired token would fail midway.
    const session = this.session;
    if (session.token && session.token.expiresAt - 300_000 > now) return session.token;
    session.tokenPromise ??= this.fetchToken().finally(() => {
      session.tokenPromise = undefined;
    });
    session.token = await session.tokenPromise;
    return session.token;
  }

  /**
   * The token endpoint with the tenant id in it. A client assertion's `aud` must be
   * `…/{tenantId}/oauth2/v2.0/token` (Entra "certificate credentials"), but an admin may have
   * given only a domain: its OpenID configuration (`/{domain}/v2.0/.well-known/openid-configuration`)
   * names the token endpoint by tenant id. Read once per tenant.
   */
  private async tenantTokenUrl(): Promise<string> {
    if (isTenantId(this.options.tenant)) return this.tokenUrl;
    if (this.session.tenantTokenUrl) return this.session.tenantTokenUrl;
    const login = this.options.endpoints.loginBaseUrl.replace(/\/$/, '');
    const discoveryUrl = `${login}/${encodeURIComponent(this.options.tenant)}/v2.0/.well-known/openid-configuration`;
    let answer;
    try {
      answer = await resilientFetch(discoveryUrl, { method: 'GET', headers: { accept: 'application/json' } }, { policy: this.policy });
    } catch (error) {
      if (error instanceof ThrottledError) throw throttledError(error, this.session.gate.clock.now(), 'Microsoft sign-in');
      throw new TeamsError('unavailable', `Microsoft sign-in (${new URL(discoveryUrl).host}) could not be reached: ${error instanceof NetworkError ? error.message : 'network error'}.`);
    }
    const endpoint = (safeJson(answer.text) as { token_endpoint?: unknown } | undefined)?.token_endpoint;
    if (answer.status === 400 || answer.status === 404) throw new TeamsError('tenant_not_found', 'Microsoft does not know this tenant. Check the Microsoft tenant id or domain of the tenant.', { status: answer.status });
    // Only a token endpoint of the same sign-in service, named by tenant id, is taken.
    const expected = new RegExp(`^${login.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/[0-9a-f-]{36}/oauth2/v2\\.0/token$`, 'i');
    if (answer.status !== 200 || typeof endpoint !== 'string' || !expected.test(endpoint)) {
      throw new TeamsError('unexpected_answer', `Microsoft sign-in did not say which tenant ${this.options.tenant} is (OpenID configuration without a token endpoint). Enter the tenant id (a GUID) on the tenant instead of the domain.`, { status: answer.status });
    }
    this.session.tenantTokenUrl = endpoint;
    return endpoint;
  }

  private async fetchToken(): Promise<CachedToken> {
    const { credentials } = this.options;
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: credentials.clientId, scope: this.options.endpoints.graphScope ?? 'https://graph.microsoft.com/.default' });
    let tokenUrl = this.tokenUrl;
    if (credentials.kind === 'secret') form.set('client_secret', credentials.clientSecret);
    else {
      // Sent to the same endpoint it names as audience: the tenant-id form.
      tokenUrl = await this.tenantTokenUrl();
      form.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      form.set('client_assertion', clientAssertion(credentials, tokenUrl));
    }
    let answer;
    try {
      answer = await resilientFetch(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() }, { policy: this.policy });
    } catch (error) {
      if (error instanceof ThrottledError) throw throttledError(error, this.session.gate.clock.now(), 'Microsoft sign-in');
      throw new TeamsError('unavailable', `Microsoft sign-in (${new URL(tokenUrl).host}) could not be reached: ${error instanceof NetworkError ? error.message : 'network error'}.`);
    }
    const body = safeJson(answer.text) as { access_token?: string; expires_in?: number | string; error?: string; error_description?: string; error_codes?: number[] } | undefined;
    if (answer.status !== 200 || !body?.access_token) throw tokenError(answer.status, body);
    this.session.tokensIssued += 1;
    const claims = readTokenClaims(body.access_token);
    const lifetimeMs = Number(body.expires_in ?? 3600) * 1000;
    return { accessToken: body.access_token, expiresAt: Date.now() + lifetimeMs, roles: claims.roles ?? [] };
  }

  /** One Graph call; `path` is relative to /v1.0 (or an absolute URL, e.g. a nextLink or Location). */
  async request<T>(method: string, path: string, schema: z.ZodType<T> | undefined, body?: unknown, headers: Record<string, string> = {}, options: { idempotent?: boolean } = {}): Promise<{ status: number; data: T; headers: Headers }> {
    const url = /^https?:\/\//.test(path) ? path : `${this.options.endpoints.graphBaseUrl.replace(/\/$/, '')}/v1.0${path}`;
    const clientRequestId = randomUUID();
    const token = await this.accessToken();
    let answer;
    try {
      answer = await resilientFetch(
        url,
        {
          method,
          headers: { authorization: `Bearer ${token.accessToken}`, accept: 'application/json', 'client-request-id': clientRequestId, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        },
        {
          gate: this.session.gate,
          policy: this.policy,
          ...(options.idempotent ? { idempotent: true } : {}),
          onRetry: (info) => this.options.log.warn({ tenant: this.options.tenant, method, path: new URL(url).pathname, clientRequestId, ...info }, 'Graph call retried'),
        },
      );
    } catch (error) {
      if (error instanceof ThrottledError) throw throttledError(error, this.session.gate.clock.now(), 'Microsoft Graph');
      const reason = error instanceof NetworkError ? error.message : 'network error';
      // A write that timed out may have reached Graph: say so rather than promise nothing changed.
      if (method !== 'GET' && error instanceof NetworkError && error.outcomeUnknown) {
        throw new TeamsError('unavailable', `Microsoft Graph did not answer (${reason}) after ${error.attempts > 1 ? 'several tries' : 'one try'}; the change may still reach Teams.`, { outcomeUnknown: true });
      }
      throw new TeamsError('unavailable', `Microsoft Graph could not be reached: ${reason}. Nothing was changed by this attempt; try again.`);
    }
    const requestId = answer.headers.get('request-id') ?? undefined;
    this.options.log.debug({ tenant: this.options.tenant, method, path: new URL(url).pathname, status: answer.status, clientRequestId, requestId, attempts: answer.attempts }, 'Graph call');
    if (answer.status === 401) {
      // A revoked or rotated credential: drop the cached token so the next call asks again.
      this.session.token = undefined;
    }
    if (answer.status >= 400) throw graphError(answer.status, answer.text, requestId, answer.headers.get('retry-after'));
    if (!schema || answer.status === 204 || answer.text === '') return { status: answer.status, data: undefined as T, headers: answer.headers };
    const json = safeJson(answer.text);
    if (json === undefined) throw new TeamsError('unexpected_answer', 'Microsoft Graph answered with something that is not JSON. Try again; if it persists, Graph may be degraded.', { status: answer.status, ...(requestId ? { requestId } : {}) });
    // Microsoft's docs show some single entities wrapped in { value: {...} }; accept both.
    const unwrapped = json && typeof json === 'object' && !Array.isArray(json) && 'value' in json && json.value && typeof json.value === 'object' && !Array.isArray(json.value) ? json.value : json;
    const parsed = schema.safeParse(unwrapped);
    if (!parsed.success) {
      throw new TeamsError('unexpected_answer', 'Microsoft Graph answered in a shape UCR Manager does not understand.', { status: answer.status, detail: parsed.error.message.slice(0, 500), ...(requestId ? { requestId } : {}) });
    }
    return { status: answer.status, data: parsed.data, headers: answer.headers };
  }

  /**
   * Every item of a collection paged with `$top`/`$skip` and no server-driven link, as Graph's
   * "List numberAssignments" documents (default 500, at most 1,000 per query; Example 3
   * `?$top=100&$skip=200`): asks for the next `$skip` until a page comes back shorter than
   * `$top`. Should Graph ever add an @odata.nextLink to such a page, it is followed verbatim
   * instead; items already seen (same `key`) are not counted twice either way, and a page that
   * brings nothing new ends the walk, so a server that ignores `$skip` cannot loop us forever.
   */
  async collectBySkip<T>(path: string, itemSchema: z.ZodType<T>, pageSchema: z.ZodType<{ value: unknown[]; '@odata.nextLink'?: string | undefined }>, options: { top: number; key: (item: T) => string; limit?: number }): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<string>();
    const limit = options.limit ?? 100_000;
    const separator = path.includes('?') ? '&' : '?';
    let skip = 0;
    let next: string | undefined = `${path}${separator}$top=${options.top}&$skip=0`;
    while (next && items.length < limit) {
      const page: { data: { value: unknown[]; '@odata.nextLink'?: string | undefined } } = await this.request('GET', next, pageSchema);
      let fresh = 0;
      for (const raw of page.data.value) {
        const parsed = itemSchema.safeParse(raw);
        if (!parsed.success) {
          this.options.log.warn({ tenant: this.options.tenant, issue: parsed.error.issues[0]?.message }, 'Graph item skipped: unexpected shape');
          continue;
        }
        const key = options.key(parsed.data);
        if (seen.has(key)) continue;
        seen.add(key);
        items.push(parsed.data);
        fresh += 1;
      }
      skip += page.data.value.length;
      if (page.data['@odata.nextLink']) next = page.data['@odata.nextLink'];
      else if (page.data.value.length < options.top || fresh === 0) next = undefined;
      else next = `${path}${separator}$top=${options.top}&$skip=${skip}`;
    }
    return items;
  }

  /** Every item of a collection, following @odata.nextLink verbatim. */
  async collect<T>(path: string, itemSchema: z.ZodType<T>, pageSchema: z.ZodType<{ value: unknown[]; '@odata.nextLink'?: string | undefined }>, limit = 100_000): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = path;
    while (next && items.length < limit) {
      const page: { data: { value: unknown[]; '@odata.nextLink'?: string | undefined } } = await this.request('GET', next, pageSchema);
      for (const raw of page.data.value) {
        const parsed = itemSchema.safeParse(raw);
        if (parsed.success) items.push(parsed.data);
        else this.options.log.warn({ tenant: this.options.tenant, issue: parsed.error.issues[0]?.message }, 'Graph item skipped: unexpected shape');
      }
      next = page.data['@odata.nextLink'];
    }
    return items;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function tokenError(status: number, body: { error?: string; error_description?: string; error_codes?: number[] } | undefined): TeamsError {
  const codes = body?.error_codes ?? [];
  const detail = body?.error_description?.split('\n')[0];
  const extra = { status, ...(detail ? { detail } : {}) };
  if (codes.includes(700016)) return new TeamsError('app_not_found', 'The app registration (client id) was not found in this Microsoft tenant. Check the client id, and that the app is registered in (or consented to by) this tenant.', extra);
  if (codes.includes(90002) || codes.includes(900023)) return new TeamsError('tenant_not_found', 'Microsoft does not know this tenant. Check the Microsoft tenant id or domain of the tenant.', extra);
  if (codes.includes(7000215) || codes.includes(7000222)) return new TeamsError('authentication_failed', 'The client secret is wrong or has expired. Create a new secret in the app registration and save it here.', extra);
  if (codes.includes(700027) || codes.includes(700021) || codes.includes(700023) || codes.includes(700024)) {
    return new TeamsError('authentication_failed', "The certificate was refused. Upload this tenant's certificate (public part) to the app registration in Entra ID, and check it has not expired.", extra);
  }
  return new TeamsError('authentication_failed', `Microsoft refused to sign in the app (${body?.error ?? `HTTP ${status}`}).`, extra);
}

/** Graph asked the tenant to wait longer than this caller waits: say how long, and that nothing was sent. */
function throttledError(error: ThrottledError, now: number, service: string): TeamsError {
  const seconds = Math.max(1, Math.ceil((error.until - now) / 1000));
  const at = new Date(error.until).toISOString().slice(11, 19);
  return new TeamsError('throttled', `${service} is throttling this tenant and asked to wait ${seconds} s (until ${at} UTC). Nothing was sent to Teams; try again then. Background jobs wait by themselves.`, { retryAfterSeconds: seconds });
}

function graphError(status: number, text: string, requestId: string | undefined, retryAfter: string | null = null): TeamsError {
  const body = safeJson(text) as { error?: { code?: string; message?: string } } | undefined;
  const code = body?.error?.code ?? '';
  const message = body?.error?.message ?? '';
  const extra = { status, detail: `${code}: ${message}`.slice(0, 500), ...(requestId ? { requestId } : {}) };
  if (status === 401) return new TeamsError('authentication_failed', 'Microsoft Graph refused the app\'s token. Test the Teams connection of this tenant.', extra);
  if (status === 403) {
    const missing = /(\w+\.\w+\.All)/.exec(message)?.[1];
    return new TeamsError('permission_missing', missing ? `The app lacks the Graph permission ${missing}. Grant it (with admin consent) in the app registration.` : 'The app lacks a Graph permission this action needs. Run "Test connection" to see which.', extra);
  }
  if (status === 404) return new TeamsError(/user/i.test(message) ? 'user_not_found' : 'unknown', /user/i.test(message) ? 'Teams does not know this user (deleted or renamed?). Refresh the user list.' : `Microsoft Graph: ${message || 'not found'}.`, extra);
  const known = classifyFailure(message);
  if (known && status === 400) return new TeamsError(known.code, known.message, extra);
  if (status === 429) {
    const wait = retryAfterMs(retryAfter);
    return new TeamsError('throttled', 'Microsoft Graph is throttling this tenant and kept refusing after several tries. Wait a minute and try again.', { ...extra, retryAfterSeconds: wait === undefined ? 60 : Math.max(1, Math.ceil(wait / 1000)) });
  }
  if (status >= 500) return new TeamsError('unavailable', `Microsoft Graph had a problem (HTTP ${status}) and kept failing after several tries. Nothing was changed by this attempt; try again later.`, extra);
  return new TeamsError('bad_request', `Microsoft Graph refused the request: ${message || code || `HTTP ${status}`}.`, extra);
}
