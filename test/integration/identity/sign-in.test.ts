import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, operators } from '../../../src/db/schema/index.ts';
import { ensureFirstAdmin } from '../../../src/features/identity/first-admin.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

describe.each(dbTargets())('sign-in on %s', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target);
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
  });

  const auditOf = async (action: string) => t.deps.db.select().from(auditEvents).where(eq(auditEvents.action, action));

  it('first admin: one-time password, forced change, then full access', async () => {
    const first = await ensureFirstAdmin(t.deps, 'first@msp.example');
    expect(first.created).toBe(true);
    if (!first.created) return;
    const oneTime = first.oneTimePassword!;
    t.secrets.add(oneTime);
    expect(await ensureFirstAdmin(t.deps, 'first@msp.example')).toEqual({ created: false });

    const c = t.client();
    const login = await c.login('First@MSP.example', oneTime);
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ signedIn: true, stage: 'full', obligation: 'password_change_required' });
    const blocked = await c.get('/api/operators');
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe('password_change_required');

    const weak = await c.post('/api/me/password', { currentPassword: oneTime, newPassword: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body.error.details.fields[0].field).toBe('newPassword');
    const wrongCurrent = await c.post('/api/me/password', { currentPassword: 'not-it-at-all', newPassword: 'a brand new passphrase' });
    expect(wrongCurrent.status).toBe(400);

    t.secrets.add('a brand new passphrase');
    const changed = await c.post('/api/me/password', { currentPassword: oneTime, newPassword: 'a brand new passphrase' });
    expect(changed.status).toBe(200);
    const session = await c.get('/api/auth/session');
    expect(session.body.obligation).toBeNull();
    expect((await c.get('/api/operators')).status).toBe(200);
    expect(await c.login('first@msp.example', oneTime)).toMatchObject({ status: 401 });
  });

  it('stores argon2id hashes, never passwords', async () => {
    const { email, password } = await t.signedInAs('viewer');
    const [row] = await t.deps.db.select().from(operators).where(eq(operators.email, email));
    expect(row!.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row!.passwordHash).not.toContain(password);
  });

  it('refuses a wrong password and an unknown email with the same message, and counts the failure', async () => {
    const { email } = await t.signedInAs('viewer');
    const wrong = await t.client().login(email, 'wrong password here');
    const unknown = await t.client().login('nobody@msp.example', 'wrong password here');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
    const [row] = await t.deps.db.select().from(operators).where(eq(operators.email, email));
    expect(row!.failedLoginCount).toBe(1);
    const failures = (await auditOf('auth.sign_in')).filter((e) => e.result === 'failure' && e.actor === email);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.error).toBe('wrong password');
  });

  it('locks the account after repeated failures, even for the right password, until the lock expires', async () => {
    const { email, password } = await t.signedInAs('operator');
    for (let i = 0; i < 5; i++) expect((await t.client().login(email, `wrong-${i}-password`)).status).toBe(401);
    const locked = await t.client().login(email, password);
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('too_many_attempts');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await auditOf('auth.sign_in')).some((e) => e.actor === email && e.error?.includes('account locked'))).toBe(true);

    t.clock.advance(16 * 60_000);
    expect((await t.client().login(email, password)).status).toBe(200);
  });

  it('MFA: a password alone is not a sign-in; wrong codes are refused and counted; the session id changes', async () => {
    const { email, password, totpSecret } = await t.signedInAs('operator', { mfa: true });
    const c = t.client();
    const step1 = await c.login(email, password);
    expect(step1.body.stage).toBe('mfa');
    const halfCookie = c.cookie;
    const early = await c.get('/api/me/tokens');
    expect(early.status).toBe(401);
    expect(early.body.error.code).toBe('mfa_required');

    const wrong = await c.post('/api/auth/mfa', { code: '000000' });
    expect(wrong.status).toBe(401);
    const [row] = await t.deps.db.select().from(operators).where(eq(operators.email, email));
    expect(row!.failedLoginCount).toBe(1);

    const ok = await c.post('/api/auth/mfa', { code: await t.totpCode(totpSecret!) });
    expect(ok.status).toBe(200);
    expect(ok.body.stage).toBe('full');
    expect(c.cookie).not.toBe(halfCookie);
    expect((await c.get('/api/me/tokens')).status).toBe(200);

    // The old half-signed-in cookie is gone.
    const stale = t.client();
    stale.cookie = halfCookie;
    expect((await stale.get('/api/auth/session')).body.signedIn).toBe(false);
  });

  it('MFA: a code is not accepted twice, and a recovery code works exactly once', async () => {
    const { email, password, totpSecret, client } = await t.signedInAs('operator', { mfa: true });
    const codes = (await client.post('/api/me/mfa/recovery-codes')).body.recoveryCodes as string[];
    expect(codes).toHaveLength(10);

    const first = t.client();
    await first.login(email, password);
    const code = await t.totpCode(totpSecret!);
    expect((await first.post('/api/auth/mfa', { code })).status).toBe(200);
    const replay = t.client();
    await replay.login(email, password);
    expect((await replay.post('/api/auth/mfa', { code })).status).toBe(401);

    const withRecovery = t.client();
    await withRecovery.login(email, password);
    expect((await withRecovery.post('/api/auth/mfa', { recoveryCode: codes[0]!.toLowerCase() })).status).toBe(200);
    const again = t.client();
    await again.login(email, password);
    expect((await again.post('/api/auth/mfa', { recoveryCode: codes[0] })).status).toBe(401);
    expect((await client.get('/api/me')).body.recoveryCodesLeft).toBe(9);
  });

  it('MFA required for everyone: an operator without MFA must enrol before working', async () => {
    const admin = await t.signedInAs('admin');
    const op = await t.signedInAs('operator');
    const refused = await admin.client.patch('/api/settings', { mfaRequired: true });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('mfa_needed_first');
    await admin.client.enrolTotp((s) => t.totpCode(s));
    expect((await admin.client.patch('/api/settings', { mfaRequired: true })).status).toBe(200);
    try {
      const blocked = await op.client.get('/api/me/tokens');
      expect(blocked.status).toBe(403);
      expect(blocked.body.error.code).toBe('mfa_enrolment_required');
      expect((await op.client.get('/api/auth/session')).body.obligation).toBe('mfa_enrolment_required');
      await op.client.enrolTotp((s) => t.totpCode(s));
      expect((await op.client.get('/api/me/tokens')).status).toBe(200);
      expect((await auditOf('settings.changed')).length).toBeGreaterThan(0);
      expect((await auditOf('mfa.enrolled')).some((e) => e.targetId === op.operatorId)).toBe(true);
    } finally {
      await admin.client.patch('/api/settings', { mfaRequired: false });
    }
  });

  it('admin reset of MFA removes the authenticator and ends the sessions', async () => {
    const admin = await t.signedInAs('admin');
    const op = await t.signedInAs('operator', { mfa: true });
    const reset = await admin.client.post(`/api/operators/${op.operatorId}/reset-mfa`);
    expect(reset.status).toBe(200);
    expect(reset.body.mfaEnrolled).toBe(false);
    expect((await op.client.get('/api/me')).status).toBe(401);
    const again = await t.client().login(op.email, op.password);
    expect(again.body.stage).toBe('full');
  });

  it('sessions end after idle time and at the absolute limit', async () => {
    const idle = await t.signedInAs('viewer');
    t.clock.advance(31 * 60_000);
    expect((await idle.client.get('/api/me')).status).toBe(401);

    const busy = await t.signedInAs('viewer');
    for (let minutes = 0; minutes < 12 * 60; minutes += 20) {
      t.clock.advance(20 * 60_000);
      if ((await busy.client.get('/api/me')).status !== 200) break;
    }
    expect((await busy.client.get('/api/me')).status).toBe(401);
  });

  it('sign out and sign out everywhere', async () => {
    const a = await t.signedInAs('viewer');
    const second = t.client();
    await second.login(a.email, a.password);
    expect((await second.get('/api/me')).status).toBe(200);
    expect((await second.post('/api/auth/logout')).status).toBe(200);
    expect((await second.get('/api/me')).status).toBe(401);

    const third = t.client();
    await third.login(a.email, a.password);
    const everywhere = await a.client.post('/api/me/sign-out-everywhere');
    expect(everywhere.body.sessionsEnded).toBe(2);
    expect((await third.get('/api/me')).status).toBe(401);
    expect((await a.client.get('/api/me')).status).toBe(401);
  });

  it('cookie-authenticated writes without the CSRF token are refused and change nothing', async () => {
    const { client, operatorId } = await t.signedInAs('admin');
    const missing = await client.patch('/api/me', { displayName: 'Changed by CSRF' }, { csrf: false });
    expect(missing.status).toBe(403);
    expect(missing.body.error.code).toBe('csrf_failed');
    const wrong = await client.request('PATCH', '/api/me', { displayName: 'Changed by CSRF' }, { csrf: false, headers: { 'x-csrf-token': 'forged' } });
    expect(wrong.status).toBe(403);
    const [row] = await t.deps.db.select().from(operators).where(eq(operators.id, operatorId));
    expect(row!.displayName).not.toBe('Changed by CSRF');
    expect((await client.patch('/api/me', { displayName: 'Changed properly' })).status).toBe(200);
  });

  it('the session cookie is httpOnly, SameSite and Secure on localhost', async () => {
    const { email, password } = await t.signedInAs('viewer');
    const response = await fetch(`${t.url.replace('127.0.0.1', 'localhost')}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('ucr_session='))!;
    t.secrets.add(cookie.split(';')[0]!.slice('ucr_session='.length));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Secure/i);
  });

  it('bad input gets a specific error', async () => {
    const bad = await t.client().post('/api/auth/login', { email: 'not-an-email', password: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    const fields = bad.body.error.details.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['email', 'password']));
  });
});
