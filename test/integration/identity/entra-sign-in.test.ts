/**
 * Operator sign-in with Entra ID (SPEC A3) against the Entra ID simulator, through the real
 * redirect chain: our /start → the simulator's authorize endpoint (login_hint approves at once)
 * → our /callback, which redeems the code at the simulator's token endpoint and validates the
 * ID token with openid-client. The app reaches the simulator through a small pass-through proxy
 * that a test can tell to re-sign ID tokens with another tenant's `tid`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEntraSimulator, type RunningEntraSimulator } from '../../../simulators/index.ts';
import { decodeJwt, signJwt } from '../../../simulators/shared/jwt.ts';
import type { EntraTenant, EntraUser } from '../../../simulators/entra/state.ts';
import { SIGN_IN_MESSAGES } from '../../../src/core/sign-in-messages.ts';
import { auditEvents, operators, sessions } from '../../../src/db/schema/index.ts';
import { writeSettings } from '../../../src/features/settings/app-settings.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

type Proxy = { url: string; retagTid: string | null; close(): Promise<void> };

/**
 * Forwards everything to the simulator with the Host header unchanged, so the simulator's
 * discovery names the proxy; optionally re-signs ID tokens with another `tid` (the simulator's
 * own key, so signature, issuer and audience stay valid). Tokens it sees go into `seen`.
 */
async function startProxy(sim: RunningEntraSimulator, seen: Set<string>): Promise<Proxy> {
  const target = new URL(sim.url);
  const proxy: Proxy = { url: '', retagTid: null, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        let body = Buffer.concat(chunks);
        if (/\/oauth2\/v2\.0\/token$/.test(req.url ?? '') && answer.statusCode === 200) {
          const json = JSON.parse(body.toString('utf8')) as { id_token?: string; access_token?: string };
          if (json.access_token) seen.add(json.access_token);
          if (json.id_token && proxy.retagTid) {
            const decoded = decodeJwt(json.id_token)!;
            json.id_token = signJwt({ ...decoded.header, alg: 'RS256' }, { ...decoded.payload, tid: proxy.retagTid }, sim.state.signingKey.privateKey);
          }
          if (json.id_token) seen.add(json.id_token);
          body = Buffer.from(JSON.stringify(json));
        }
        const headers = { ...answer.headers, 'content-length': String(body.length) };
        delete headers['transfer-encoding'];
        res.writeHead(answer.statusCode ?? 502, headers).end(body);
      });
    });
    upstream.on('error', (error) => res.writeHead(502).end(error.message));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  proxy.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  proxy.close = () => new Promise((resolve) => server.close(() => resolve()));
  return proxy;
}

const cookieValue = (response: Response, name: string): string | undefined => {
  const line = response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  return line === undefined ? undefined : line.split(';')[0]!.slice(name.length + 1);
};

type Flow = { startLocation: URL; flowCookie: string; setCookieLine: string };
type Finish = { status: number; location: string; session: string | undefined; flowCleared: boolean };

describe.each(dbTargets())('Entra ID sign-in on %s', (target) => {
  let t: TestApp;
  let sim: RunningEntraSimulator;
  let proxy: Proxy;
  let home: EntraTenant;
  let other: EntraTenant;
  const clientId = randomUUID();
  const clientSecret = `entra-secret-${randomBytes(12).toString('base64url')}`;
  const users: Record<string, EntraUser> = {};
  const seenByProxy = new Set<string>();

  beforeAll(async () => {
    sim = await startEntraSimulator();
    home = sim.state.addTenant({ displayName: 'Fabrikam MSP', domains: ['fabrikam-msp.example', 'fabrikammsp.onmicrosoft.com'] });
    other = sim.state.addTenant({ displayName: 'Someone Else', domains: ['someone-else.example'] });
    proxy = await startProxy(sim, seenByProxy);
    // The app under test: tenant given by domain, the authority is the proxy in front of the simulator.
    t = await startTestApp(target, { UCR_ENTRA_TENANT: 'fabrikam-msp.example', UCR_ENTRA_CLIENT_ID: clientId, UCR_ENTRA_CLIENT_SECRET: clientSecret, UCR_ENTRA_AUTHORITY: proxy.url });
    t.secrets.add(clientSecret);
    const redirectUri = `${t.url}/api/auth/entra/callback`;
    sim.state.addApp(home.id, { clientId, secrets: [clientSecret], redirectUris: [redirectUri] });
    // The same client id registered in another tenant (as a multi-tenant app would be).
    sim.state.addApp(other.id, { clientId, secrets: [clientSecret], redirectUris: [redirectUri] });
    for (const [key, upn, name] of [
      ['newcomer', 'nina.newcomer@fabrikam-msp.example', 'Nina Newcomer'],
      ['approved', 'omar.approved@fabrikam-msp.example', 'Omar Approved'],
      ['linked', 'lena.linked@fabrikam-msp.example', 'Lena Linked'],
      ['twin', 'twin@fabrikam-msp.example', 'Twin One'],
      ['disabled', 'dora.disabled@fabrikam-msp.example', 'Dora Disabled'],
      ['tampered', 'tom.tampered@fabrikam-msp.example', 'Tom Tampered'],
      ['forged', 'fiona.forged@fabrikam-msp.example', 'Fiona Forged'],
    ] as const) {
      users[key] = sim.state.addUser(home.id, { userPrincipalName: upn, displayName: name });
    }
    users.outsider = sim.state.addUser(other.id, { userPrincipalName: 'olga.outsider@someone-else.example', displayName: 'Olga Outsider' });
    // Same email as `twin`, another account (the email match must not hand over a linked operator).
    users.twin2 = sim.state.addUser(home.id, { userPrincipalName: 'twin.two@fabrikam-msp.example', displayName: 'Twin Two', mail: 'twin@fabrikam-msp.example' });
  });

  afterAll(async () => {
    expect(seenByProxy.size).toBeGreaterThan(0);
    for (const token of seenByProxy) t.secrets.add(token);
    expectNoSecretsInLogs(t);
    await t.close();
    await proxy.close();
    await sim.close();
  });

  async function start(query = ''): Promise<Flow> {
    const res = await fetch(`${t.url}/api/auth/entra/start${query}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const flowCookie = cookieValue(res, 'ucr_entra_flow')!;
    expect(flowCookie).toBeTruthy();
    t.secrets.add(flowCookie);
    return { startLocation: new URL(res.headers.get('location')!), flowCookie, setCookieLine: res.headers.getSetCookie().find((c) => c.startsWith('ucr_entra_flow='))! };
  }

  /** The browser at the authorize endpoint; login_hint approves without the form. Returns the callback URL. */
  async function authorize(authorizeUrl: URL, upn: string): Promise<URL> {
    const url = new URL(authorizeUrl);
    url.searchParams.set('login_hint', upn);
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status, await res.clone().text()).toBe(302);
    const callback = new URL(res.headers.get('location')!);
    const code = callback.searchParams.get('code');
    if (code) t.secrets.add(code);
    return callback;
  }

  async function finish(callback: URL | string, flowCookie: string | undefined): Promise<Finish> {
    const res = await fetch(callback, { redirect: 'manual', headers: flowCookie ? { cookie: `ucr_entra_flow=${flowCookie}` } : {} });
    const session = cookieValue(res, 'ucr_session');
    if (session) t.secrets.add(session);
    return { status: res.status, location: res.headers.get('location') ?? '', session: session || undefined, flowCleared: cookieValue(res, 'ucr_entra_flow') === '' };
  }

  async function signIn(userKey: string, query = ''): Promise<Finish & { callback: URL; flowCookie: string }> {
    const flow = await start(query);
    const callback = await authorize(flow.startLocation, users[userKey]!.userPrincipalName);
    return { ...(await finish(callback, flow.flowCookie)), callback, flowCookie: flow.flowCookie };
  }

  async function sessionClient(sessionCookie: string): Promise<ApiClient> {
    const client = t.client();
    client.cookie = sessionCookie;
    await client.get('/api/auth/session'); // picks up the CSRF token
    return client;
  }

  const operatorByOid = async (oid: string) => (await t.deps.db.select().from(operators).where(eq(operators.entraObjectId, oid)))[0];
  const operatorCount = async () => (await t.deps.db.select({ id: operators.id }).from(operators)).length;
  const sessionCount = async () => (await t.deps.db.select({ id: sessions.idHash }).from(sessions)).length;
  const auditFor = async (action: string, operatorId?: string) =>
    t.deps.db
      .select()
      .from(auditEvents)
      .where(operatorId ? and(eq(auditEvents.action, action), eq(auditEvents.targetId, operatorId)) : eq(auditEvents.action, action));

  it('tells the sign-in page which methods exist', async () => {
    expect((await t.client().get('/api/auth/providers')).body).toEqual({ password: true, entra: true });
  });

  it('starts with PKCE (S256), state and nonce, and keeps them in an httpOnly cookie, not the query alone', async () => {
    const flow = await start();
    const authorizeUrl = flow.startLocation;
    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${proxy.url}/${home.id}/oauth2/v2.0/authorize`);
    const q = authorizeUrl.searchParams;
    expect(q.get('client_id')).toBe(clientId);
    expect(q.get('response_type')).toBe('code');
    expect(q.get('redirect_uri')).toBe(`${t.url}/api/auth/entra/callback`);
    expect(q.get('scope')).toBe('openid profile email');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(flow.setCookieLine).toMatch(/HttpOnly/i);
    expect(flow.setCookieLine).toMatch(/SameSite=Lax/i);
    expect(flow.setCookieLine).toMatch(/Path=\/api\/auth\/entra/);
    // Sealed: neither the verifier's challenge input nor the state is readable in the cookie.
    expect(flow.flowCookie).not.toContain(q.get('state')!);
  });

  it('first sign-in of an unknown person creates a pending viewer, sends them to the waiting page and opens no session', async () => {
    const before = await sessionCount();
    const result = await signIn('newcomer');
    expect(result.status).toBe(302);
    expect(result.location).toBe('/pending-approval');
    expect(result.session).toBeUndefined();
    expect(result.flowCleared).toBe(true);
    expect(await sessionCount()).toBe(before);

    const row = await operatorByOid(users.newcomer!.id);
    expect(row).toMatchObject({ email: 'nina.newcomer@fabrikam-msp.example', displayName: 'Nina Newcomer', role: 'viewer', status: 'pending', passwordHash: null, entraObjectId: users.newcomer!.id });
    expect(await auditFor('operator.created', row!.id)).toHaveLength(1);
    const attempts = await auditFor('auth.sign_in', row!.id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ result: 'failure', operatorId: row!.id });
    expect(attempts[0]!.error).toMatch(/waiting for an administrator/);

    // Signing in again while pending: still waiting, no second operator, still no session.
    const count = await operatorCount();
    const again = await signIn('newcomer');
    expect(again).toMatchObject({ location: '/pending-approval', session: undefined });
    expect(await operatorCount()).toBe(count);
    // A pending operator has no password to try either.
    const password = await t.client().login('nina.newcomer@fabrikam-msp.example', 'any password at all');
    expect(password.status).toBe(401);
    expect(await sessionCount()).toBe(before);
  });

  it('the admin approves; the next sign-in gets a full session that works on the API, even with MFA required for everyone', async () => {
    const first = await signIn('approved');
    expect(first.location).toBe('/pending-approval');
    const pending = (await operatorByOid(users.approved!.id))!;

    const admin = await t.signedInAs('admin');
    const listed = (await admin.client.get('/api/operators')).body.operators as Array<{ id: string; status: string; signInMethods: string[] }>;
    expect(listed.find((o) => o.id === pending.id)).toMatchObject({ status: 'pending', signInMethods: ['entra'] });
    const approved = await admin.client.post(`/api/operators/${pending.id}/approve`, { role: 'operator' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'active', role: 'operator' });

    await writeSettings(t.deps.db, { mfaRequired: true });
    try {
      const second = await signIn('approved', '?redirect=%2Ftenants%3Fview%3Dall');
      expect(second.status).toBe(302);
      expect(second.location).toBe('/tenants?view=all');
      expect(second.session).toBeTruthy();
      const client = await sessionClient(second.session!);
      const state = await client.get('/api/auth/session');
      expect(state.body).toMatchObject({ signedIn: true, stage: 'full', obligation: null, operator: { id: pending.id, role: 'operator', status: 'active' } });
      expect((await client.get('/api/tenants')).status).toBe(200);
      const write = await client.patch('/api/me', { displayName: 'Omar A.' });
      expect(write.status).toBe(200);
      const [row] = await t.deps.db.select().from(sessions).where(eq(sessions.operatorId, pending.id));
      expect(row).toMatchObject({ stage: 'full', authMethod: 'entra' });
      const signIns = (await auditFor('auth.sign_in', pending.id)).filter((e) => e.result === 'success');
      expect(signIns).toHaveLength(1);
      expect(signIns[0]!.after).toMatchObject({ method: 'entra' });
      // For contrast: a password session without TOTP must enrol first under the same policy.
      const passwordOnly = await t.signedInAs('viewer');
      expect((await passwordOnly.client.get('/api/auth/session')).body.obligation).toBe('mfa_enrolment_required');
    } finally {
      await writeSettings(t.deps.db, { mfaRequired: false });
    }
  });

  it('links an existing active operator by email on first Entra sign-in, and never hands a linked operator to another account', async () => {
    const linked = await t.signedInAs('operator', { email: 'lena.linked@fabrikam-msp.example' });
    const result = await signIn('linked');
    expect(result.location).toBe('/');
    expect(result.session).toBeTruthy();
    const [row] = await t.deps.db.select().from(operators).where(eq(operators.id, linked.operatorId));
    expect(row!.entraObjectId).toBe(users.linked!.id);
    expect(await auditFor('operator.entra_linked', linked.operatorId)).toHaveLength(1);
    expect((await (await sessionClient(result.session!)).get('/api/auth/session')).body.operator.id).toBe(linked.operatorId);

    // Twin One links to twin@; Twin Two carries the same email claim but is another oid.
    const twin = await t.signedInAs('admin', { email: 'twin@fabrikam-msp.example' });
    expect((await signIn('twin')).session).toBeTruthy();
    const before = await sessionCount();
    const count = await operatorCount();
    const impostor = await signIn('twin2');
    expect(impostor).toMatchObject({ status: 302, location: '/sign-in?error=entra_account_conflict', session: undefined });
    expect(await sessionCount()).toBe(before);
    expect(await operatorCount()).toBe(count);
    const [twinRow] = await t.deps.db.select().from(operators).where(eq(operators.id, twin.operatorId));
    expect(twinRow!.entraObjectId).toBe(users.twin!.id);
  });

  it('refuses a disabled operator with the same message as password sign-in', async () => {
    const admin = await t.signedInAs('admin');
    const person = await t.signedInAs('operator', { email: 'dora.disabled@fabrikam-msp.example' });
    expect((await signIn('disabled')).session).toBeTruthy(); // linked while active
    expect((await admin.client.patch(`/api/operators/${person.operatorId}`, { status: 'disabled' })).status).toBe(200);

    const before = await sessionCount();
    const refused = await signIn('disabled');
    expect(refused).toMatchObject({ status: 302, location: '/sign-in?error=account_disabled', session: undefined });
    expect(await sessionCount()).toBe(before);
    const failures = (await auditFor('auth.sign_in', person.operatorId)).filter((e) => e.result === 'failure');
    expect(failures.at(-1)!.error).toBe('Entra ID: account disabled');

    // The sign-in page shows SIGN_IN_MESSAGES[code]; the password route says exactly the same.
    const viaPassword = await t.client().login(person.email, person.password);
    expect(viaPassword.status).toBe(401);
    expect(viaPassword.body.error).toMatchObject({ code: 'account_disabled', message: SIGN_IN_MESSAGES.account_disabled });
  });

  it('refuses an altered state, a replayed callback, a missing or forged flow cookie, and changes nothing', async () => {
    const operatorsBefore = await operatorCount();
    const sessionsBefore = await sessionCount();

    // Altered state: refused before the code is even redeemed.
    const flow = await start();
    const callback = await authorize(flow.startLocation, users.tampered!.userPrincipalName);
    const altered = new URL(callback);
    altered.searchParams.set('state', `${callback.searchParams.get('state')!.slice(0, -2)}xx`);
    expect(await finish(altered, flow.flowCookie)).toMatchObject({ location: '/sign-in?error=entra_failed', session: undefined, flowCleared: true });
    expect(sim.state.codes.get(callback.searchParams.get('code')!)!.redeemed).toBe(false);
    // The same callback without the cookie that started it (another browser, or the cookie already used).
    expect(await finish(callback, undefined)).toMatchObject({ location: '/sign-in?error=entra_expired', session: undefined });
    // A cookie that was tampered with.
    const flipped = `${flow.flowCookie.slice(0, -3)}${flow.flowCookie.at(-3) === 'A' ? 'B' : 'A'}${flow.flowCookie.slice(-2)}`;
    expect(await finish(callback, flipped)).toMatchObject({ location: '/sign-in?error=entra_expired', session: undefined });
    // A state forged into the query with the cookie of another flow.
    const otherFlow = await start();
    expect(await finish(callback, otherFlow.flowCookie)).toMatchObject({ location: '/sign-in?error=entra_failed', session: undefined });
    expect(await operatorCount()).toBe(operatorsBefore);
    expect(await sessionCount()).toBe(sessionsBefore);

    // Replay of a complete, successful callback (cookie and all): Entra ID redeems a code once.
    const ok = await signIn('linked');
    expect(ok.session).toBeTruthy();
    const afterOk = await sessionCount();
    expect(await finish(ok.callback, ok.flowCookie)).toMatchObject({ location: '/sign-in?error=entra_failed', session: undefined });
    expect(await sessionCount()).toBe(afterOk);

    // A flow older than ten minutes is refused whatever the cookie's own expiry.
    const slow = await start();
    const slowCallback = await authorize(slow.startLocation, users.linked!.userPrincipalName);
    t.clock.advance(11 * 60_000);
    expect(await finish(slowCallback, slow.flowCookie)).toMatchObject({ location: '/sign-in?error=entra_expired', session: undefined });
    expect(await sessionCount()).toBe(afterOk);

    const failures = (await auditFor('auth.sign_in')).filter((e) => e.result === 'failure' && e.operatorId === null);
    expect(failures.some((e) => e.error?.includes('state in the answer does not match'))).toBe(true);
    expect(failures.some((e) => e.error?.includes('no sign-in in progress'))).toBe(true);
    expect(failures.some((e) => e.error?.includes('AADSTS54005'))).toBe(true);
  });

  it("refuses another tenant's account and a token whose tid is not ours, and changes nothing", async () => {
    const operatorsBefore = await operatorCount();
    const sessionsBefore = await sessionCount();

    // Our flow (state, PKCE) completed at another tenant that knows the same client id: its code is worthless at ours.
    const flow = await start();
    const foreign = new URL(flow.startLocation);
    foreign.pathname = foreign.pathname.replace(home.id, other.id);
    const callback = await authorize(foreign, users.outsider!.userPrincipalName);
    expect(callback.searchParams.get('code')).toBeTruthy();
    expect(await finish(callback, flow.flowCookie)).toMatchObject({ location: '/sign-in?error=entra_failed', session: undefined });

    // A validly signed ID token from the right issuer whose tid names another tenant.
    proxy.retagTid = other.id;
    try {
      const forged = await signIn('forged');
      expect(forged).toMatchObject({ location: '/sign-in?error=entra_wrong_tenant', session: undefined });
    } finally {
      proxy.retagTid = null;
    }
    expect(await operatorByOid(users.forged!.id)).toBeUndefined();
    expect(await operatorByOid(users.outsider!.id)).toBeUndefined();
    expect(await operatorCount()).toBe(operatorsBefore);
    expect(await sessionCount()).toBe(sessionsBefore);
    const failures = (await auditFor('auth.sign_in')).filter((e) => e.result === 'failure');
    expect(failures.some((e) => e.error?.includes(`is for tenant ${other.id}, not the configured tenant ${home.id}`))).toBe(true);
    expect(failures.some((e) => e.error?.includes('AADSTS70000'))).toBe(true);
  });

  it('reports a cancelled sign-in, and opens only same-origin paths afterwards', async () => {
    const flow = await start();
    const state = flow.startLocation.searchParams.get('state')!;
    const cancelled = await finish(`${t.url}/api/auth/entra/callback?error=access_denied&error_description=AADSTS65004%3A+User+declined&state=${state}`, flow.flowCookie);
    expect(cancelled.location).toBe('/sign-in?error=entra_cancelled');

    for (const evil of ['https://evil.example/x', '//evil.example', '/\\evil.example', '/api/operators', '/sign-in']) {
      const result = await signIn('linked', `?redirect=${encodeURIComponent(evil)}`);
      expect(result.location, evil).toBe('/');
    }
  });

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await t.client().get('/api/docs/json')).body as { paths: Record<string, unknown> };
    for (const path of ['/api/auth/providers', '/api/auth/entra/start', '/api/auth/entra/callback']) expect(Object.keys(doc.paths)).toContain(path);
  });

  it('answers 404 and offers no Entra button when Entra ID is not configured', async () => {
    const plain = await startTestApp(target);
    try {
      expect((await plain.client().get('/api/auth/providers')).body).toEqual({ password: true, entra: false });
      const startRes = await plain.client().get('/api/auth/entra/start');
      expect(startRes.status).toBe(404);
      expect(startRes.body.error.code).toBe('entra_not_configured');
    } finally {
      await plain.close();
    }
  });
});
