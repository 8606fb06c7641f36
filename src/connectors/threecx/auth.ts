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

/** Renew this long before 3CX says the token ends, so a call never leaves with a token about to expire. */
const RENEW_MARGIN_MS = 60_000;

export type TokenProviderOptions = {
  baseUrl: string;
  auth: ThreeCxAuth;
  gate: RateGate;
  timeoutMs: number;
  now: () => number;
  /** Called with each new refresh token of an admin session (they rotate: each is good once). */
  onRefreshToken?: ((token: string) => Promise<void>) | undefined;
};

export class TokenProvider {
  private readonly options: TokenProviderOptions;
  private token: { value: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;
  private refreshToken: string | undefined;

  constructor(options: TokenProviderOptions) {
    this.options = options;
    this.refreshToken = options.auth.mode === 'admin' ? options.auth.refreshToken : undefined;
  }

  /** A valid access token; concurrent callers share one sign-in (a refresh token is good once). */
  async get(): Promise<string> {
    if (this.token && this.token.expiresAt - RENEW_MARGIN_MS > this.options.now()) return this.token.value;
    this.pending ??= this.acquire().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Drops the cached token after 3CX said 401, so the next call signs in again. */
  invalidate(rejected: string): void {
    if (this.token?.value === rejected) this.token = undefined;
  }

  /** Opens an admin session with the 2FA code the operator typed. */
  async signInWithCode(securityCode: string): Promise<void> {
    if (this.options.auth.mode !== 'admin') return;
    await this.adminLogin(securityCode);
  }

  private async acquire(): Promise<string> {
    const auth = this.options.auth;
    if (auth.mode === 'api_client') {
      const answer = await this.form({ grant_type: 'client_credentials', client_id: auth.clientId, client_secret: auth.clientSecret });
      if (answer.status === 401 || answer.status === 400) {
        throw new ThreeCxError('authentication_failed', '3CX refused the API client id or secret. Check them in the 3CX admin console under Integrations › API.', { status: answer.status });
      }
      return this.keep(this.parse(answer, tokenAnswer));
    }
    if (this.refreshToken) {
      const answer = await this.form({ grant_type: 'refresh_token', client_id: 'Webclient', refresh_token: this.refreshToken });
      if (answer.status < 400) return this.keep(this.parse(answer, tokenAnswer));
      // The refresh token expired or was used elsewhere: sign in again with the password.
      this.refreshToken = undefined;
    }
    return this.adminLogin(undefined);
  }

  private async adminLogin(securityCode: string | undefined): Promise<string> {
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
    return this.keep(login.Token);
  }

  private async keep(answer: z.infer<typeof tokenAnswer>): Promise<string> {
    // 3CX gives expires_in in minutes.
    this.token = { value: answer.access_token, expiresAt: this.options.now() + answer.expires_in * 60_000 };
    if (answer.refresh_token) {
      this.refreshToken = answer.refresh_token;
      await this.options.onRefreshToken?.(answer.refresh_token);
    }
    return answer.access_token;
  }

  private form(fields: Record<string, string>) {
    return this.call(`${this.options.baseUrl}/connect/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: new URLSearchParams(fields).toString() });
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
