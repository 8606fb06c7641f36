import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../../src/db/connection.ts';
import { seedConnectWise, startConnectWiseSimulator, type RunningConnectWiseSimulator } from '../../../simulators/index.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { dumpDatabase, expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { connectedTenant, startTeamsSimulators, type TeamsFixture } from '../../helpers/teams-fixture.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

/**
 * Security properties proven across every route rather than hand-picked ones: the route lists
 * come from the app itself (registered routes, and the OpenAPI document for query parameters),
 * so a new route is probed the day it is added. Related proofs live next to their feature:
 * MFA session rotation and account lockout in sign-in.test.ts, role and scope per route in
 * authorization-table.test.ts, audit scope in audit.test.ts.
 */

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Classic and not-so-classic injection payloads; none of them occurs in the seeded data. */
const probes = [
  "' OR 1=1--",
  "' OR '1'='1",
  "%'; DROP TABLE tenants;--",
  '"; SELECT pg_sleep(5);--',
  "1 UNION SELECT password_hash FROM operators--",
  "' || (select password_hash from operators limit 1) || '",
  '\\',
  "\\'",
  '%',
  '%%',
  '$1',
  '{}',
  'Ω≈ç√ 📞 ﷽ ‮',
  '\u0000',
  'a\u0000b',
  'x'.repeat(5000),
];

/** Query parameters that filter by text: with a probe as the value, a list must come back empty. */
const textFilters = new Set(['search', 'carrier', 'tag', 'action', 'targetId', 'ticketId']);

type OpenApi = { paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string; schema?: { type?: string; enum?: unknown[] } }> }>> };

/** How many rows a list answer holds: the first array in a JSON object, or CSV lines after the header. */
function rowCount(contentType: string | null, body: unknown): number | undefined {
  if (contentType?.includes('text/csv') && typeof body === 'string') return body.split(/\r?\n/).filter(Boolean).length - 1;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const list = Object.values(body).find(Array.isArray);
    return list ? list.length : undefined;
  }
  return undefined;
}

describe.each(dbTargets())('security on %s', (target) => {
  let t: TestApp;
  let fx: TeamsFixture;
  let cwSim: RunningConnectWiseSimulator;
  let cwCompany: string;
  let admin: ApiClient;
  let tenantId: string;
  /** Real ids for path parameters, so probes reach the query code rather than a 404. */
  const ids: Record<string, string> = {};
  /** Secrets that must never leave the server (CSRF tokens are meant to be read by the page, so they are not here). */
  const secrets: string[] = [];

  beforeAll(async () => {
    t = await startTestApp(target);
    fx = await startTeamsSimulators({ users: 5, spareNumbers: 5 });
    t.secrets.add(fx.clientSecret);
    secrets.push(fx.clientSecret);
    const signedIn = await t.signedInAs('admin', { mfa: true });
    admin = signedIn.client;
    secrets.push(signedIn.password, signedIn.totpSecret!, admin.cookie!);
    const connected = await connectedTenant(admin, fx, 'Security Co');
    tenantId = connected.tenantId;
    ids.tenantId = tenantId;
    ids.numberId = Object.values(connected.numbers)[0]!;
    ids.rangeId = (await admin.post(`/api/tenants/${tenantId}/ranges`, { name: 'Probe range', start: '+14155550100', count: 10, kind: 'direct_routing', carrier: 'Carrier A' })).body.id;
    ids.siteId = (await admin.post(`/api/tenants/${tenantId}/sites`, { name: 'HQ' })).body.id;
    ids.userId = (await admin.get(`/api/tenants/${tenantId}/teams/users?limit=1`)).body.users[0].id;
    ids.key = 'numbers.columns';
    ids.ticketId = '123';
    const cwKey = `cw-private-${randomBytes(8).toString('hex')}`;
    t.secrets.add(cwKey);
    secrets.push(cwKey);
    const cwKeys = { companyId: 'probe_msp', publicKey: 'probe-public', privateKey: cwKey, clientId: '0b7c4a5e-2d1f-4e8a-9c3b-5f6a7d8e9f01' };
    cwSim = await startConnectWiseSimulator({ port: 0, state: seedConnectWise(cwKeys) });
    cwCompany = cwSim.state.companies[1]!.identifier;
    expect((await admin.patch(`/api/tenants/${tenantId}`, { connectwiseCompanyId: cwCompany })).status).toBe(200);
    const cw = await admin.request('PUT', `/api/tenants/${tenantId}/connections/connectwise`, { site: 'na.myconnectwise.example', ...cwKeys, baseUrl: cwSim.apiUrl });
    expect(cw.status, JSON.stringify(cw.body)).toBe(200);
    const token = (await admin.post('/api/me/tokens', { name: 'probe', access: 'read' })).body.token as string;
    const codes = (await admin.post('/api/me/mfa/recovery-codes')).body.recoveryCodes as string[];
    secrets.push(token, ...codes, t.deps.keyring.active.key.toString('base64'));
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
    await fx.close();
    await cwSim.close();
  });

  /** A route path with its parameters filled from `ids` (unknown ones get a well-formed random id). */
  const concrete = (url: string) => url.replace(/[:{]([a-zA-Z]+)\}?/g, (_, name: string) => ids[name] ?? '3f1c2a7e-5d4b-4c1a-9e8f-0a1b2c3d4e5f');

  it('session fixation: a cookie planted before sign-in is never adopted; signing in again issues a new session', async () => {
    // (A new session id after the MFA step is proven in sign-in.test.ts.)
    const { email, password } = await t.signedInAs('operator');
    const planted = `planted-${randomBytes(16).toString('base64url')}`;
    const victim = t.client();
    victim.cookie = planted;
    expect((await victim.login(email, password)).status).toBe(200);
    expect(victim.cookie).toBeDefined();
    expect(victim.cookie).not.toBe(planted);
    const attacker = t.client();
    attacker.cookie = planted;
    expect((await attacker.get('/api/auth/session')).body.signedIn).toBe(false);
    expect((await attacker.get('/api/me')).status).toBe(401);

    // A browser that is already signed in and signs in again gets a fresh id, never the old one back.
    const before = victim.cookie;
    await victim.login(email, password);
    expect(victim.cookie).not.toBe(before);
    expect((await victim.get('/api/me')).status).toBe(200);
  });

  it('CSRF: every state-changing route refuses a cookie-authenticated write without the token, with a forged one, or with another session\'s', async () => {
    const writes = t.app.registeredRoutes.filter((r) => r.url.startsWith('/api/') && !SAFE.has(r.method));
    expect(writes.length).toBeGreaterThan(40);
    // Signing in needs no session and always starts a fresh one, so it is the only write without a token.
    expect(writes.filter((r) => r.access === 'public').map((r) => `${r.method} ${r.url}`)).toEqual(['POST /api/auth/login']);

    const victim = (await t.signedInAs('admin')).client;
    const other = (await t.signedInAs('admin')).client;
    const state = () => dumpWithoutSessions();
    const before = await state();
    for (const route of writes.filter((r) => r.access !== 'public')) {
      for (const token of [undefined, 'forged-token', other.csrfToken!]) {
        const res = await victim.request(route.method, concrete(route.url), route.method === 'DELETE' ? undefined : {}, { csrf: false, headers: token ? { 'x-csrf-token': token } : {} });
        expect(res.status, `${route.method} ${route.url} with ${token ? 'a wrong' : 'no'} token`).toBe(403);
        expect(res.body.error.code).toBe('csrf_failed');
      }
    }
    expect(await state()).toBe(before);
    // The same session with its own token is let through: the refusals above were the CSRF check.
    expect((await victim.patch('/api/me', { displayName: 'Still me' })).status).toBe(200);
  });

  it('SQL injection: every query parameter of every GET route answers 200 with no extra rows or a clear 4xx, never a 500; tables intact', async () => {
    const spec = (await admin.get('/api/docs/json')).body as OpenApi;
    const tablesBefore = await tableCounts();
    let probed = 0;
    const parameters = new Set<string>();
    for (const [path, methods] of Object.entries(spec.paths)) {
      const query = (methods.get?.parameters ?? []).filter((p) => p.in === 'query');
      if (!path.startsWith('/api/') || query.length === 0) continue;
      const url = concrete(path);
      const baseline = await admin.request('GET', url);
      const baselineRows = rowCount(baseline.headers.get('content-type'), baseline.body);
      // Exports record themselves in the audit log, so the log may grow by one row per request since the baseline.
      let requestsSinceBaseline = 0;
      for (const param of query) {
        parameters.add(`${path}?${param.name}`);
        for (const payload of probes) {
          const res = await admin.request('GET', `${url}?${new URLSearchParams({ [param.name]: payload })}`);
          const where = `GET ${path}?${param.name}=${JSON.stringify(payload.slice(0, 40))}`;
          probed += 1;
          requestsSinceBaseline += 1;
          expect(res.status, `${where} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`).toBeLessThan(500);
          if (res.status >= 400) {
            expect(res.body.error.message, where).toMatch(/\w{3,}/);
            expect(res.body.error.code, where).not.toBe('internal');
          }
          if (res.status === 200) {
            const rows = rowCount(res.headers.get('content-type'), res.body);
            if (rows !== undefined && baselineRows !== undefined) expect(rows, where).toBeLessThanOrEqual(baselineRows + requestsSinceBaseline);
            // ConnectWise's own `like` has no escape for %, so there a lone % is a wildcard; what must
            // hold is that only the mapped company's tickets come back.
            // (The member list is Manage's too: a lone % lists every member, which an admin may see anyway.)
            if (path.endsWith('/connectwise/tickets')) expect((res.body.tickets as Array<{ company: string }>).every((x) => x.company === cwCompany), where).toBe(true);
            else if (path.startsWith('/api/connectwise/')) expect(res.status, where).toBe(200);
            else if (rows !== undefined && textFilters.has(param.name)) expect(rows, `${where} matched rows`).toBe(0);
          }
        }
      }
    }
    // The list endpoints this must cover, so a broken spec cannot make the test pass by probing nothing.
    for (const expected of ['/api/audit?search', '/api/audit?action', '/api/tenants?includeArchived', '/api/tenants/{tenantId}/numbers?search', '/api/tenants/{tenantId}/numbers?after', '/api/tenants/{tenantId}/numbers/export?carrier', '/api/tenants/{tenantId}/teams/users?search', '/api/tenants/{tenantId}/bulk-assignments?limit', '/api/tenants/{tenantId}/voice-changes?status', '/api/tenants/{tenantId}/connectwise/tickets?search']) {
      expect([...parameters], expected).toContain(expected);
    }
    expect(probed).toBeGreaterThan(300);

    // Path parameters too: a probe where an id belongs is a 400 or a 404.
    for (const route of t.app.registeredRoutes.filter((r) => r.method === 'GET' && r.url.includes('/:'))) {
      for (const payload of ["' OR 1=1--", '\u0000', '../../etc/passwd']) {
        const url = route.url.replace(/:([a-zA-Z]+)/g, () => encodeURIComponent(payload));
        const res = await admin.request('GET', url);
        expect([400, 404], `GET ${url} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`).toContain(res.status);
      }
    }
    expect(await tableCounts()).toEqual(tablesBefore);
  });

  it('request bodies with injection payloads, NUL bytes and odd Unicode are stored literally or refused clearly', async () => {
    for (const payload of probes) {
      const res = await admin.patch(`/api/tenants/${tenantId}/numbers/${ids.numberId}`, { notes: payload.slice(0, 1000) });
      expect(res.status, `notes=${JSON.stringify(payload.slice(0, 40))} → ${JSON.stringify(res.body)}`).toBeLessThan(500);
      if (res.status === 200) expect(res.body.notes).toBe(payload.slice(0, 1000));
      else expect(res.body.error.message).toMatch(/\w{3,}/);
      const site = await admin.post(`/api/tenants/${tenantId}/sites`, { name: `S ${payload.slice(0, 60)}` });
      expect(site.status, JSON.stringify(site.body)).toBeLessThan(500);
    }
    expect((await admin.get('/api/tenants')).status).toBe(200);
  });

  it('login brute force: the per-address rate limit stops password spraying across accounts (lockout per account: sign-in.test.ts)', async () => {
    const limited = await startTestApp(target, { UCR_SIGNIN_RATE_LIMIT: '5' });
    try {
      const { email, password } = await limited.signedInAs('operator'); // one sign-in spent here
      const attacker = limited.client();
      const answers: number[] = [];
      for (let i = 0; i < 6; i++) answers.push((await attacker.login(`victim${i}@msp.example`, `guess-${i}-password`)).status);
      expect(answers.slice(0, 4)).toEqual([401, 401, 401, 401]);
      expect(answers.slice(4)).toEqual([429, 429]);
      const blocked = await attacker.login(email, password);
      expect(blocked.status).toBe(429);
      expect(blocked.body.error).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(/Too many requests/) });
      // The MFA step shares the limit: codes cannot be guessed faster than passwords.
      const mfa = await limited.client().post('/api/auth/mfa', { code: '000000' });
      expect([401, 429]).toContain(mfa.status);
      expectNoSecretsInLogs(limited);
    } finally {
      await limited.close();
    }
  });

  it('no secret appears in any GET answer, in the exports, or in a dump of the database', async () => {
    const texts: Array<[string, string]> = [];
    for (const route of t.app.registeredRoutes.filter((r) => r.method === 'GET' && r.url.startsWith('/api/') && !r.url.startsWith('/api/auth/entra'))) {
      const res = await admin.request('GET', concrete(route.url));
      texts.push([route.url, typeof res.body === 'string' ? res.body : JSON.stringify(res.body)]);
    }
    expect(texts.length).toBeGreaterThan(30);
    for (const path of [`/api/tenants/${tenantId}/numbers/export`, '/api/audit/export']) {
      const res = await fetch(`${t.url}${path}`, { headers: { cookie: `ucr_session=${admin.cookie}` } });
      expect(res.status).toBe(200);
      texts.push([path, await res.text()]);
    }
    texts.push(['database dump', await dumpDatabase(t)]);
    for (const [where, text] of texts) {
      const leaked = secrets.filter((s) => s.length >= 6 && text.includes(s));
      expect(leaked, `secret found in ${where}`).toEqual([]);
    }
  });

  it('security headers: a strict Content-Security-Policy and friends on pages and API answers', async () => {
    for (const path of ['/', '/api/auth/session']) {
      const res = await fetch(`${t.url}${path}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
      expect(directives['default-src'], csp).toEqual(["'self'"]);
      expect(directives['script-src'], csp).toEqual(["'self'"]);
      expect(directives['script-src-attr'], csp).toEqual(["'none'"]);
      expect(directives['object-src'], csp).toEqual(["'none'"]);
      expect(directives['base-uri'], csp).toEqual(["'self'"]);
      expect(directives['frame-ancestors'], csp).toEqual(["'none'"]);
      expect(csp).not.toMatch(/unsafe-eval/);
      expect(directives['script-src']).not.toContain("'unsafe-inline'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  async function dumpWithoutSessions(): Promise<string> {
    // Sessions record when they were last used, which reading them changes; everything else must not move.
    const tables = await queryRows<{ table_name: string }>(t.deps.db, sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'sessions' order by table_name`);
    const parts: string[] = [];
    for (const { table_name } of tables) parts.push(JSON.stringify(await queryRows(t.deps.db, sql`select * from ${sql.identifier(table_name)} order by 1`)));
    return parts.join('\n');
  }

  async function tableCounts(): Promise<Record<string, number>> {
    const tables = await queryRows<{ table_name: string }>(t.deps.db, sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'audit_events' order by table_name`);
    const out: Record<string, number> = {};
    for (const { table_name } of tables) {
      const [row] = await queryRows<{ n: string | number }>(t.deps.db, sql`select count(*) as n from ${sql.identifier(table_name)}`);
      out[table_name] = Number(row!.n);
    }
    return out;
  }
});
