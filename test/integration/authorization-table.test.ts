import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Access } from '../../src/core/roles.ts';
import { dbTargets } from '../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../helpers/leaks.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * Every API route and the access it needs. A new route fails this test until it is added
 * here, so nobody ships a route whose protection was never checked.
 */
const expected: Record<string, Access> = {
  'POST /api/auth/login': 'public',
  'GET /api/auth/session': 'public',
  'POST /api/auth/mfa': 'session',
  'POST /api/auth/logout': 'session',
  'GET /api/me': 'self',
  'PATCH /api/me': 'self',
  'POST /api/me/password': 'self',
  'POST /api/me/mfa/totp': 'self',
  'POST /api/me/mfa/totp/confirm': 'self',
  'POST /api/me/mfa/recovery-codes': 'self',
  'POST /api/me/sign-out-everywhere': 'self',
  'GET /api/me/tokens': 'viewer',
  'POST /api/me/tokens': 'viewer',
  'DELETE /api/me/tokens/:id': 'viewer',
  'GET /api/operators': 'admin',
  'GET /api/operators/:id': 'admin',
  'POST /api/operators': 'admin',
  'PATCH /api/operators/:id': 'admin',
  'POST /api/operators/:id/approve': 'admin',
  'POST /api/operators/:id/reset-mfa': 'admin',
  'POST /api/operators/:id/reset-password': 'admin',
  'POST /api/operators/:id/unlock': 'admin',
  'POST /api/operators/:id/sign-out-everywhere': 'admin',
  'GET /api/settings': 'admin',
  'PATCH /api/settings': 'admin',
  'GET /api/audit': 'admin',
};

const roleOrder = ['viewer', 'operator', 'admin'] as const;
const someId = '3f1c2a7e-5d4b-4c1a-9e8f-0a1b2c3d4e5f';

describe.each(dbTargets())('authorization table on %s', (target) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(target);
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
  });

  it('the table and the app agree: every /api route is listed, with the access it declares', () => {
    const actual = Object.fromEntries(
      t.app.registeredRoutes.filter((r) => r.url.startsWith('/api/') && !r.url.startsWith('/api/docs')).map((r) => [`${r.method} ${r.url}`, r.access]),
    );
    expect(actual).toEqual(expected);
  });

  it('anonymous callers get 401 on every route that is not public', async () => {
    const anonymous = t.client();
    for (const [key, access] of Object.entries(expected)) {
      if (access === 'public') continue;
      const [method, url] = key.split(' ') as [string, string];
      const res = await anonymous.request(method, url.replace(':id', someId), method === 'GET' || method === 'DELETE' ? undefined : {});
      expect(res.status, key).toBe(401);
    }
  });

  it('each role is refused (403) on routes above it and let through on routes at or below it', async () => {
    for (const role of roleOrder) {
      for (const [key, access] of Object.entries(expected)) {
        if (access === 'public' || access === 'session' || access === 'self') continue;
        const [method, url] = key.split(' ') as [string, string];
        // A fresh operator per call: some routes end sessions or change the caller.
        const { client } = await t.signedInAs(role);
        const res = await client.request(method, url.replace(':id', someId), method === 'GET' || method === 'DELETE' ? undefined : {});
        const allowed = roleOrder.indexOf(role) >= roleOrder.indexOf(access as (typeof roleOrder)[number]);
        if (allowed) expect([401, 403], `${role} ${key} should pass authorization (got ${res.status} ${JSON.stringify(res.body)})`).not.toContain(res.status);
        else expect(res.status, `${role} ${key}`).toBe(403);
      }
    }
  });

  it('a read-only API token can read but not write, and cannot manage credentials', async () => {
    const { client } = await t.signedInAs('admin');
    const created = await client.post('/api/me/tokens', { name: 'reader', access: 'read' });
    const reader = t.client().withToken(created.body.token);
    expect((await reader.get('/api/operators')).status).toBe(200);
    const write = await reader.patch('/api/settings', { lockoutMinutes: 20 });
    expect(write.status).toBe(403);
    expect(write.body.error.code).toBe('token_read_only');
    const rw = await client.post('/api/me/tokens', { name: 'writer', access: 'read-write' });
    const writer = t.client().withToken(rw.body.token);
    const mint = await writer.post('/api/me/tokens', { name: 'escalate', access: 'read-write' });
    expect(mint.status).toBe(403);
    expect(mint.body.error.code).toBe('session_required');
  });
});
