/**
 * A small HTTP client for tests that behaves like the browser app: keeps the session cookie,
 * sends the CSRF token on writes, or sends a bearer token instead. Every secret it sees is
 * added to the test's secret set.
 */
export type ApiResponse<T = any> = { status: number; body: T; headers: Headers };

export class ApiClient {
  cookie: string | undefined;
  csrfToken: string | undefined;
  bearer: string | undefined;
  readonly baseUrl: string;
  private readonly secrets: Set<string>;

  constructor(baseUrl: string, secrets: Set<string>) {
    this.baseUrl = baseUrl;
    this.secrets = secrets;
  }

  /** The same signed-in browser talking to another node of the installation (sessions live in the shared database). */
  on(baseUrl: string): ApiClient {
    const client = new ApiClient(baseUrl, this.secrets);
    client.cookie = this.cookie;
    client.csrfToken = this.csrfToken;
    client.bearer = this.bearer;
    return client;
  }

  withToken(token: string): ApiClient {
    const client = new ApiClient(this.baseUrl, this.secrets);
    client.bearer = token;
    this.secrets.add(token);
    return client;
  }

  async request<T = any>(method: string, path: string, body?: unknown, options: { csrf?: boolean; headers?: Record<string, string> } = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    if (this.cookie) headers.cookie = `ucr_session=${this.cookie}`;
    if (this.cookie && this.csrfToken && options.csrf !== false && method !== 'GET') headers['x-csrf-token'] = this.csrfToken;
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('ucr_session='));
    if (setCookie) {
      const value = setCookie.split(';')[0]!.slice('ucr_session='.length);
      this.cookie = value === '' ? undefined : value;
      if (value) this.secrets.add(value);
    }
    const text = await response.text();
    const parsed = text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
    if (parsed && typeof parsed === 'object' && typeof parsed.csrfToken === 'string') {
      this.csrfToken = parsed.csrfToken;
      this.secrets.add(parsed.csrfToken);
    }
    if (parsed && typeof parsed === 'object') {
      for (const key of ['token', 'temporaryPassword', 'secret']) if (typeof parsed[key] === 'string') this.secrets.add(parsed[key]);
      if (Array.isArray(parsed.recoveryCodes)) for (const c of parsed.recoveryCodes) this.secrets.add(c);
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = any>(path: string, body: unknown = {}, options?: { csrf?: boolean }) {
    return this.request<T>('POST', path, body, options);
  }
  patch<T = any>(path: string, body: unknown, options?: { csrf?: boolean }) {
    return this.request<T>('PATCH', path, body, options);
  }
  delete<T = any>(path: string) {
    return this.request<T>('DELETE', path);
  }

  async login(email: string, password: string): Promise<ApiResponse> {
    this.secrets.add(password);
    return this.post('/api/auth/login', { email, password });
  }

  /** Enrols TOTP through the API and returns the secret. */
  async enrolTotp(code: (secret: string) => Promise<string>): Promise<string> {
    const started = await this.post('/api/me/mfa/totp');
    if (started.status !== 200) throw new Error(`enrol start failed: ${started.status} ${JSON.stringify(started.body)}`);
    const secret = started.body.secret as string;
    const confirmed = await this.post('/api/me/mfa/totp/confirm', { code: await code(secret) });
    if (confirmed.status !== 200) throw new Error(`enrol confirm failed: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
    return secret;
  }
}
