import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTokens, auditEvents } from '../../../src/db/schema/index.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

describe.each(dbTargets())('API tokens on %s', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target);
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
  });

  it('a token works without a cookie, is stored hashed, records last use, and stops when revoked', async () => {
    const { client, email } = await t.signedInAs('operator');
    const created = await client.post('/api/me/tokens', { name: 'automation', access: 'read-write' });
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    expect(token).toMatch(/^ucr_/);
    expect(created.body.apiToken.prefix).toBe(token.slice(0, 10));

    const bearer = t.client().withToken(token);
    const me = await bearer.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(email);

    const [row] = await t.deps.db.select().from(apiTokens).where(eq(apiTokens.id, created.body.apiToken.id));
    expect(row!.tokenHash).not.toContain(token);
    expect(row!.lastUsedAt).not.toBeNull();

    const listed = await client.get('/api/me/tokens');
    expect(JSON.stringify(listed.body)).not.toContain(token);

    expect((await client.delete(`/api/me/tokens/${created.body.apiToken.id}`)).status).toBe(200);
    const after = await bearer.get('/api/me');
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('invalid_token');
    const events = await t.deps.db.select().from(auditEvents).where(eq(auditEvents.targetId, created.body.apiToken.id));
    expect(events.map((e) => e.action).sort()).toEqual(['api_token.created', 'api_token.revoked']);
  });

  it('GET /api/me/access says who a token or session acts as; without credentials it is 401', async () => {
    const { client, email } = await t.signedInAs('viewer');
    const viaSession = await client.get('/api/me/access');
    expect(viaSession.status).toBe(200);
    expect(viaSession.body).toMatchObject({ email, role: 'viewer', via: 'session', tokenAccess: null });
    const created = await client.post('/api/me/tokens', { name: 'who-am-i', access: 'read' });
    const viaToken = await t.client().withToken(created.body.token).get('/api/me/access');
    expect(viaToken.status).toBe(200);
    expect(viaToken.body).toMatchObject({ email, role: 'viewer', via: 'token', tokenAccess: 'read', operatorId: viaSession.body.operatorId });
    expect(JSON.stringify(viaToken.body)).not.toContain(created.body.token);
    expect((await t.client().get('/api/me/access')).status).toBe(401);
  });

  it('an expired token is refused; an expiry in the past is refused at creation', async () => {
    const { client } = await t.signedInAs('viewer');
    const past = await client.post('/api/me/tokens', { name: 'old', access: 'read', expiresAt: new Date(Date.now() - 1000).toISOString() });
    expect(past.status).toBe(400);
    const soon = await client.post('/api/me/tokens', { name: 'short-lived', access: 'read', expiresAt: new Date(t.clock.now().getTime() + 3_600_000).toISOString() });
    const bearer = t.client().withToken(soon.body.token);
    expect((await bearer.get('/api/me')).status).toBe(200);
    t.clock.advance(2 * 3_600_000);
    expect((await bearer.get('/api/me')).status).toBe(401);
  });

  it('one operator cannot revoke another operator\'s token', async () => {
    const a = await t.signedInAs('operator');
    const b = await t.signedInAs('operator');
    const created = await a.client.post('/api/me/tokens', { name: 'mine', access: 'read' });
    expect((await b.client.delete(`/api/me/tokens/${created.body.apiToken.id}`)).status).toBe(404);
    expect((await t.client().withToken(created.body.token).get('/api/me')).status).toBe(200);
  });

  it('a garbage bearer token is refused rather than ignored', async () => {
    const res = await t.client().withToken('ucr_not-a-real-token').get('/api/auth/session');
    expect(res.status).toBe(401);
  });
});
