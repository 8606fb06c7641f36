import { z } from 'zod';
import type { RateGate } from '../shared/rate-gate.ts';
import { NetworkError, resilientFetch } from '../shared/resilient-fetch.ts';
import { ThreeCxError } from './errors.ts';

/**
 * How UCR Manager signs in to a PBX: an API client (Enterprise licence, unattended) or an
 * admin's sign-in (username + password, and a 2FA code the operator types when the admin has
 * 2FA). An admin session is carried on by its rotating refresh token.
 */
export type ThreeCxAuth =
  | { mode: 'api_client'; clientId: string; clientSecret: string }
  | { mode: 'admin'; username: string; password: string; refreshToken?: string | undefined };

const tokenAnswer = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().positive(), refresh_token: z.string().nullable().optional() }).passthrough();
const loginAnswer = z.object({ Status: z.string(), Token: tokenAnswer.nullable().optional() }).passthrough();

/** Renew this long before 3CX's expiry (or a fifth of a short lifetime), so no call leaves with a dying token. */
const RENEW_MARGIN_MS = 60_000;

/**
 * A 3CX session: the access token and, for an admin sign-in, its rotating refresh token.
 * Times are epoch milliseconds.
 */
export type ThreeCxSession = { accessToken: string; renewAt: number; expiresAt: number; refreshToken: string | null };

/**
 * Where the session of a PBX sign-in is kept. 3CX keeps ONE active access token per API client
 * (3cx/xapi-tutorial auth.ts: "the PBX only allows one active access token at a time"), so an
 * installation with several nodes must share one session and let one of them renew it. The app
 * plugs in a database-backed store; the connector's default keeps it in this process.
 */
export interface ThreeCxTokenStore {
  /** The session every node shares, if one is held. */
  read(): Promise<ThreeCxSession | undefined>;
  /**
   * Renews alone: while no other node can renew, looks at the stored session again and returns
   * it when `usable` says so (another node renewed meanwhile); otherwise stores and returns
   * what `renew` gives. When `renew` throws, the stored session stays as it was.
   */
  renew(usable: (stored: ThreeCxSession | undefined) => boolean, renew: (stored: ThreeCxSession | undefined) => Promise<ThreeCxSession>): Promise<ThreeCxSession>;
}

/** A session kept in this process only: right for one process (and the connector tests). */
export class MemoryTokenStore implements ThreeCxTokenStore {
  private session: ThreeCxSession | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  async read(): Promise<ThreeCxSession | undefined> {
    return this.session;
  }

  renew(usable: (stored: ThreeCxSession | undefined) => boolean, renew: (stored: ThreeCxSession | undefined) => Promise<ThreeCxSession>): Promise<ThreeCxSession> {
    const run = this.queue.then(async () => {
      if (this.session && usable(this.session)) return this.session;
      this.session = await renew(this.session);
      return this.session;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/**
 * When a token ends: the JWT's own `exp` when the token is a JWT, else `expires_in` seconds from
 * now. 3CX states expires_in in seconds since V20 Update 9 (3cx/xapi-tutorial commit 1c6947c
 * "expires_in is in seconds (according to OAuth) since 20.0.9"; before, minutes): `exp` is the
 * same on every version, so it wins.
 */
export function tokenExpiry(accessToken: string, expiresInSeconds: number, now: number): number {
  const parts = accessToken.split('.');
  if (parts.length === 3) {
    try {
      const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { exp?: unknown };
      if (typeof claims.exp === 'number' && Number.isFinite(claims.exp)) return claims.exp * 1000;
    } catch {
      // not a JWT after all: fall back to expires_in
    }
  }
  return now + expiresInSeconds * 1000;
}

export type TokenProviderOptions = {
  baseUrl: string;
  auth: ThreeCxAuth;
  gate: RateGate;
  timeoutMs: number;
  now: () => number;
  /** The session shared by every node; in this process only when not given. */
  store?: ThreeCxTokenStore | undefined;
};

export class TokenProvider {
  private readonly options: TokenProviderOptions;
  private readonly store: ThreeCxTokenStore;
  /** This process's copy of the shared session, so most calls do not read the store. */
  private session: ThreeCxSession | undefined;
  /** The token 3CX last answered 401 to: never taken from the store again. */
  private rejected: string | undefined;
  private pending: Promise<string> | undefined;

  constructor(options: TokenProviderOptions) {
    this.options = options;
    this.store = options.store ?? new MemoryTokenStore();
  }

  /** A valid access token; concurrent callers share one look-up (and every node one renewal). */
  async get(): Promise<string> {
    if (this.session && this.fresh(this.session)) return this.session.accessToken;
    this.pending ??= this.fromStore().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Drops the token after 3CX said 401, so the next call takes a newer one or renews. */
  invalidate(rejected: string): void {
    this.rejected = rejected;
    if (this.session?.accessToken === rejected) this.session = undefined;
  }

  /** Opens an admin session with the 2FA code the operator typed. */
  async signInWithCode(securityCode: string): Promise<void> {
    if (this.options.auth.mode !== 'admin') return;
    this.session = await this.store.renew(
      () => false,
      () => this.adminLogin(securityCode),
    );
  }

  private fresh(session: ThreeCxSession): boolean {
    return session.accessToken !== this.rejected && session.renewAt > this.options.now();
  }

  private async fromStore(): Promise<string> {
    const stored = await this.store.read();
    this.session = stored && this.fresh(stored) ? stored : await this.store.renew((s) => Boolean(s && this.fresh(s)), (s) => this.acquire(s));
    return this.session.accessToken;
  }

  private async acquire(stored: ThreeCxSession | undefined): Promise<ThreeCxSession> {
    const auth = this.options.auth;
    if (auth.mode === 'api_client') {
      const answer = await this.form({ grant_type: 'client_credentials', client_id: auth.clientId, client_secret: auth.clientSecret });
      if (answer.status === 401 || answer.status === 400) {
        throw new ThreeCxError('authentication_failed', '3CX refused the API client id or secret. Check them in the 3CX admin console under Integrations › API.', { status: answer.status });
      }
      return this.keep(this.parse(answer, tokenAnswer), null);
    }
    const refreshToken = stored?.refreshToken ?? auth.refreshToken;
    if (refreshToken) {
      // As the 3CX web client renews: the refresh token rides in the RefreshTokenCookie cookie,
      // the form says who (client_id=Webclient) and what (grant_type=refresh_token).
      const answer = await this.form({ client_id: 'Webclient', grant_type: 'refresh_token' }, { cookie: `RefreshTokenCookie=${refreshToken}` });
      if (answer.status < 400) return this.keep(this.parse(answer, tokenAnswer), refreshToken);
      // The refresh token expired or was revoked: sign in again with the password.
    }
    return this.adminLogin(undefined);
  }

  private async adminLogin(securityCode: string | undefined): Promise<ThreeCxSession> {
    const auth = this.options.auth as Extract<ThreeCxAuth, { mode: 'admin' }>;
    const answer = await this.call(`${this.options.baseUrl}/webclient/api/Login/GetAccessToken`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ Username: auth.username, Password: auth.password, SecurityCode: securityCode ?? '' }),
    });
    const login = this.parse(answer, loginAnswer);
    if (login.Status === '2FARequired') {
      throw new ThreeCxError('two_factor_required', `The 3CX admin ${auth.username} has two-factor sign-in: enter the current 2FA code to open a session.`);
    }
    if (login.Status !== 'AuthSuccess' || !login.Token) {
      throw new ThreeCxError('authentication_failed', securityCode ? '3CX refused the admin sign-in: the username, password or 2FA code is wrong.' : '3CX refused the admin sign-in: the username or password is wrong.', { detail: login.Status });
    }
    return this.keep(login.Token, null);
  }

  private keep(answer: z.infer<typeof tokenAnswer>, previousRefresh: string | null): ThreeCxSession {
    const now = this.options.now();
    const expiresAt = tokenExpiry(answer.access_token, answer.expires_in, now);
    const margin = Math.min(RENEW_MARGIN_MS, Math.max(0, expiresAt - now) / 5);
    // A refresh token is good once: keep the new one 3CX gave, else the one that still works.
    return { accessToken: answer.access_token, renewAt: expiresAt - margin, expiresAt, refreshToken: answer.refresh_token ?? previousRefresh };
  }

  private form(fields: Record<string, string>, headers: Record<string, string> = {}) {
    return this.call(`${this.options.baseUrl}/connect/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers }, body: new URLSearchParams(fields).toString() });
  }

  private async call(url: string, init: { method: string; headers: Record<string, string>; body: string }) {
    try {
      return await resilientFetch(url, init, { gate: this.options.gate, policy: { maxAttempts: 3, baseDelayMs: 300, maxDelayMs: 10_000, timeoutMs: this.options.timeoutMs } });
    } catch (error) {
      throw new ThreeCxError('unavailable', `The PBX could not be reached: ${error instanceof NetworkError ? error.message : 'network error'}. Check the FQDN and that the PBX is online.`);
    }
  }

  private parse<T>(answer: { status: number; text: string }, schema: z.ZodType<T>): T {
    if (answer.status >= 500) throw new ThreeCxError('unavailable', `3CX had a problem signing in (HTTP ${answer.status}); try again later.`, { status: answer.status });
    let json: unknown;
    try {
      json = JSON.parse(answer.text);
    } catch {
      throw new ThreeCxError('unexpected_answer', 'The PBX answered the sign-in with something that is not JSON. Is this the address of a 3CX v20 PBX?', { status: answer.status });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ThreeCxError('unexpected_answer', 'The PBX answered the sign-in in a shape UCR Manager does not understand. Is this a 3CX v20 PBX?', { status: answer.status });
    return parsed.data;
  }
}
